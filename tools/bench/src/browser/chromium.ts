/**
 * The headless Chromium launcher lives in `@recur/conformance/chromium` (one home for the bench and
 * `recur-conformance --backend webgl`); re-exported here for the bench's modules and tests.
 */
export { bundleForPage, chromiumPath, openScriptPage, type ScriptPage } from '@recur/conformance/chromium';
