package io.dovetail.common.protocol;

/**
 * Decides, from a frame's header, whether its body may be read now. A server bounds the memory of
 * frames in flight with it: when {@link #tryAdmit} answers -1 the connection stops reading until
 * {@code wakeUp} runs, which is backpressure down to TCP, never a dropped frame.
 * Implementations are thread-safe.
 */
public interface FrameAdmission {
  /** Admits everything and accounts nothing. */
  FrameAdmission NONE = new FrameAdmission() {
    @Override
    public int tryAdmit(MessageType type, int frameLength, Runnable wakeUp) {
      return 0;
    }

    @Override
    public void release(int bytes) {}
  };

  /**
   * @return bytes reserved for this frame (0 when its type is not accounted), to be given back
   *     with {@link #release} by whoever handles the message; or -1 when it cannot be admitted yet,
   *     in which case {@code wakeUp} runs once, on any thread, when it is worth asking again
   */
  int tryAdmit(MessageType type, int frameLength, Runnable wakeUp);

  void release(int bytes);

  /**
   * Forgets {@code wakeUp}, passed to a {@link #tryAdmit} that answered -1, because its connection
   * closed before it ran. Does nothing if it has run or is running.
   */
  default void cancel(Runnable wakeUp) {}
}
