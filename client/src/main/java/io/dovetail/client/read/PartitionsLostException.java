package io.dovetail.client.read;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import java.util.Arrays;

/**
 * Committed data of some partitions cannot be read from any replica (DATA_LOST), or what was read
 * differs from what was committed (INTEGRITY_MISMATCH). Names the partitions.
 */
public final class PartitionsLostException extends DovetailException {
  private static final long serialVersionUID = 1L;
  private final int[] partitions;

  public PartitionsLostException(ErrorCode code, int[] partitions, String message) {
    super(code, message);
    this.partitions = partitions.clone();
  }

  public int[] partitions() {
    return partitions.clone();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + Arrays.toString(partitions) + ": " + getMessage();
  }
}
