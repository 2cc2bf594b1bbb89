/** Test access to the registry's static server (the same one `mpak index serve` runs). */
export { startStaticServer, type StaticServer } from '../../src/registry/serve.js';
