/**
 * A moving test pattern as I420 frames for libwebrtc's RTCVideoSource: grey with a white bar that
 * moves across, so every frame differs (an encoder sends little for a still picture) and costs
 * almost nothing to draw (two fills per row).
 */
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export class TestPattern {
  private readonly data: Uint8Array;
  private readonly bar: number;
  private x = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array((width * height * 3) / 2);
    this.data.fill(96, 0, width * height); // luma
    this.data.fill(128, width * height); // no colour
    this.bar = Math.max(2, Math.floor(width / 16));
  }

  /** The next frame (the same buffer, redrawn: RTCVideoSource copies it). */
  next(): I420Frame {
    const { width, height, data, bar } = this;
    const old = this.x;
    this.x = (this.x + 8) % (width - bar);
    for (let row = 0; row < height; row++) {
      const at = row * width;
      data.fill(96, at + old, at + old + bar);
      data.fill(235, at + this.x, at + this.x + bar);
    }
    return { width, height, data };
  }
}
