/**
 * BrowserPane browser SDK: `BrowserPaneClient.connect({ container, relayUrl, sessionId, ticket })`
 * shows a live, drivable BrowserPane session in any element.
 * @module
 */

export type { AudioApi, AudioStats } from './audio/audio-feature.ts';
export type { PlaybackState } from './audio/audio-player.ts';
export { type MediaErrorCode, MediaInputError } from './audio/media-errors.ts';
export type { MicrophoneApi, MicrophoneStats } from './audio/microphone-feature.ts';
export type {
  CameraApi,
  CameraStartOptions,
  CameraState,
  CameraStatus,
} from './camera/camera-feature.ts';
export {
  BrowserPaneClient,
  type BrowserPaneClientOptions,
  type ClientEvent,
  type Participant,
} from './client.ts';
export {
  type ClipboardData,
  ClipboardError,
  type ClipboardErrorCode,
} from './clipboard/clipboard-data.ts';
export type { ClipboardApi, ClipboardStats } from './clipboard/clipboard-feature.ts';
export type { AttachedFeature, ClientFeature, ClientFeatureContext } from './feature.ts';
export {
  type DownloadedFile,
  type FilesApi,
  type FilesStats,
  UploadError,
  type UploadHandle,
  type UploadProgress,
  type UploadResult,
} from './files/files-feature.ts';
export { ConnectError } from './protocol-connection.ts';
export {
  type BackoffPolicy,
  type ConnectionState,
  DEFAULT_BACKOFF,
  FinalConnectError,
  ReconnectingClient,
  type ReconnectingClientOptions,
  type ReconnectingEvent,
  type RelayTicket,
} from './reconnect/index.ts';
export { prepareDecodeWorker } from './render/decode-pool.ts';
export type { ResizeAck, ResizeApi, ResizeStats } from './resize/resize-feature.ts';
export type { ScaleMode } from './stage.ts';
export type { ClientStats } from './stats.ts';
export type { VideoApi, VideoStats } from './video/video-feature.ts';
