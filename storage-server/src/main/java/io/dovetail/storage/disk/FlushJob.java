package io.dovetail.storage.disk;

/**
 * Work for a directory's {@link Flusher}: writes of one partition file. The submitter guarantees
 * that jobs of one file never run concurrently; implementations need not be thread-safe beyond
 * that hand-over.
 */
public interface FlushJob {
  /** Runs on a flusher thread; handles its own I/O errors (an escaping exception halts). */
  void run();

  /** The flusher stopped before running this job; give back what it holds. Any thread. */
  void cancel();
}
