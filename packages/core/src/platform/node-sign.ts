// node:crypto's sign, for offload.ts (the Node build's thread-pool policy). The web build never signs through it:
// node-sign.web.ts only keeps the module graph free of node:crypto.
export { sign } from 'node:crypto';
