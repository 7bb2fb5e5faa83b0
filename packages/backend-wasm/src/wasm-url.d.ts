// Vite's `?url` imports (browser tests only): the served URL of a file, as a string.
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
