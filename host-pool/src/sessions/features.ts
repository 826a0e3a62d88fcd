import { audioFeature } from '../audio/audio-feature.ts';
import { cameraFeature } from '../camera/camera-feature.ts';
import { clipboardFeature } from '../clipboard/clipboard-feature.ts';
import { type FilesFeatureOptions, filesFeature } from '../files/files-feature.ts';
import { resizeFeature } from '../resize/resize-feature.ts';
import { videoFeature } from '../video/video-feature.ts';
import type { SessionFeature } from './feature.ts';

/**
 * The features every session gets, in attach order. Add a feature here (one line); its code lives
 * in its own folder.
 */
export function sessionFeatures(options: { files?: FilesFeatureOptions } = {}): SessionFeature[] {
  return [
    videoFeature(),
    audioFeature(),
    cameraFeature(),
    resizeFeature(),
    clipboardFeature(),
    filesFeature(options.files),
  ];
}
