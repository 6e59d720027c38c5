package io.dovetail.common.protocol;

/** One batch in a {@link PushRequest}: its partition file (partition, epoch) and its header. */
public record PushBatch(int partition, int epoch, BatchHeader header) {
  /** Bytes a batch takes in a PUSH frame besides its payload. */
  public static final int SIZE = 4 + 4 + BatchHeader.SIZE;
}
