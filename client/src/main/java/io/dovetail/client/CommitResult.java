package io.dovetail.client;

/**
 * Outcome of committing a map attempt. Immutable.
 *
 * @param committed true when this attempt is the committed one for its map index
 * @param winnerAttemptId the committed attempt (this one when {@code committed})
 * @param winnerPartitionBytes bytes per partition of the committed attempt (what readers read)
 */
public record CommitResult(boolean committed, long winnerAttemptId, long[] winnerPartitionBytes) {}
