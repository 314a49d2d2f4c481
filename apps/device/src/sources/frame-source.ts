import type { RawFrame } from '@tinymlops/tinylcm';

/** A frame from an input source, with the ground truth when the source knows it (datasets). */
export interface SourceFrame {
  frame: RawFrame;
  truth?: { label: number; driftActive: boolean };
}

/** Where frames come from: a camera, a folder, the committed dataset or stdin. */
export interface FrameSource {
  readonly name: string;
  frames(): AsyncIterable<SourceFrame>;
  close(): Promise<void>;
}
