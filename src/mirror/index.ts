export { mirrorRegistry, packageFilter, type MirrorOptions, type MirrorResult, type MirrorProblem, type MirrorProgress } from './mirror.js';
export { writeMirrorTar, extractMirrorTar } from './tar.js';
