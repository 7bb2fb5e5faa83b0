import { describe, expect, it } from 'vitest';
import {
  backendNames,
  createBuiltinBackend,
  instantiateBackend,
  MissingBackendPackageError,
  nodeBackendNames,
} from './backends.js';

describe('@recur/conformance/backends', () => {
  it('lists the built-in names in report order, webgl only among all names', () => {
    expect(backendNames).toEqual(['js', 'tfjs-cpu', 'wasm', 'tfjs-node', 'webgl']);
    expect(nodeBackendNames).toEqual(['js', 'tfjs-cpu', 'wasm', 'tfjs-node']);
  });

  it("creates a built-in backend with its factory's options", async () => {
    const backend = await createBuiltinBackend('js', { fused: false });
    expect(backend.name).toBe('js');
    expect(backend.fused).toBeUndefined();
  });

  it('refuses webgl and unknown names, naming the Node built-ins', async () => {
    await expect(createBuiltinBackend('webgl')).rejects.toThrow(
      'createBuiltinBackend: name must be one of js, tfjs-cpu, wasm, tfjs-node, got "webgl"',
    );
    await expect(createBuiltinBackend('cuda')).rejects.toThrow(RangeError);
  });

  it('says which package to install when it is missing, and when a package lacks the factory', async () => {
    const missing = instantiateBackend({ package: '@recur/backend-nowhere', factory: 'createIt' });
    await expect(missing).rejects.toThrow(MissingBackendPackageError);
    await expect(missing).rejects.toThrow('install @recur/backend-nowhere');
    await expect(instantiateBackend({ package: '@recur/core', factory: 'createNothing' })).rejects.toThrow(
      '@recur/core exports no createNothing',
    );
  });
});
