export { CONFIG_HELP, parseWorkerConfig, type WorkerConfig } from './config.ts';
export { remuxWebm } from './encode/remux.ts';
export { type VideoCodec, WebmWriter } from './encode/webm-writer.ts';
export { Compositor } from './picture/compositor.ts';
