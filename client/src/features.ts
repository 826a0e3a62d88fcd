import type { ClientFeature } from './feature.ts';
import { videoFeature } from './video/video-feature.ts';

/**
 * Features every client gets unless `BrowserPaneClientOptions.features` says otherwise. Add a
 * feature here (one line); its code lives in its own folder.
 */
export function defaultFeatures(): ClientFeature[] {
  return [videoFeature()];
}
