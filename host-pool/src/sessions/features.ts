import { videoFeature } from '../video/video-feature.ts';
import type { SessionFeature } from './feature.ts';

/**
 * The features every session gets, in attach order. Add a feature here (one line); its code lives
 * in its own folder.
 */
export function sessionFeatures(): SessionFeature[] {
  return [videoFeature()];
}
