import { audioFeature } from './audio/audio-feature.ts';
import { microphoneFeature } from './audio/microphone-feature.ts';
import { cameraFeature } from './camera/camera-feature.ts';
import { clipboardFeature } from './clipboard/clipboard-feature.ts';
import type { ClientFeature } from './feature.ts';
import { filesFeature } from './files/files-feature.ts';
import { resizeFeature } from './resize/resize-feature.ts';
import { videoFeature } from './video/video-feature.ts';

/**
 * Features every client gets unless `BrowserPaneClientOptions.features` says otherwise. Add a
 * feature here (one line); its code lives in its own folder.
 */
export function defaultFeatures(): ClientFeature[] {
  return [
    videoFeature(),
    resizeFeature(),
    audioFeature(),
    microphoneFeature(),
    cameraFeature(),
    clipboardFeature(),
    filesFeature(),
  ];
}
