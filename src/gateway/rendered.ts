// The frames one event is rendered to, shared by every local socket that gets the event, so that
// each distinct frame is rendered once, not once per socket. Frames are kept by (dialect,
// variant): a dialect names its variants (the receiving phone, "self or not"...) and sees only
// its own, so no dialect can take another's frame for its own.

/** One dialect's frames of one event. */
export class DialectFrames {
  private readonly frames = new Map<string, string | undefined>();

  /** The frame of this variant, rendered on first need; undefined when the dialect shows nothing. */
  once<F extends string | undefined>(variant: string, render: () => F): F {
    // A variant is rendered the same way whichever socket asks first.
    if (this.frames.has(variant)) return this.frames.get(variant) as F;
    const frame = render();
    this.frames.set(variant, frame);
    return frame;
  }
}

export class RenderedFrames {
  private readonly byDialect = new Map<string, DialectFrames>();

  of(dialect: string): DialectFrames {
    let frames = this.byDialect.get(dialect);
    if (!frames) {
      frames = new DialectFrames();
      this.byDialect.set(dialect, frames);
    }
    return frames;
  }
}
