package io.dovetail.storage.disk;

import io.dovetail.proto.DiskStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The server's data directories and the choice of one per new file. Thread-safe. */
public final class DataDirs {
  private final List<DataDir> dirs;
  private final AtomicInteger next = new AtomicInteger();

  public DataDirs(List<DataDir> dirs) {
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("no data directory");
    }
    this.dirs = List.copyOf(dirs);
  }

  public List<DataDir> all() {
    return dirs;
  }

  /** The next healthy directory with room, round-robin; null when there is none. */
  public DataDir choose() {
    int n = dirs.size();
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      DataDir d = dirs.get((start + i) % n);
      if (d.hasRoom()) {
        return d;
      }
    }
    return null;
  }

  /** Refreshes every directory now, on the caller's thread (blocking). */
  public void refreshAll() {
    dirs.forEach(DataDir::refresh);
  }

  /** Refreshes every directory on its own chore thread: one that hangs delays only itself. */
  public void refreshAllLater() {
    dirs.forEach(DataDir::refreshLater);
  }

  public List<DiskStatus> status() {
    return dirs.stream().map(DataDir::status).toList();
  }

  public void start() {
    dirs.forEach(DataDir::start);
  }

  /**
   * Stops every directory's flushers, waiting at most {@code timeout} for all of them together:
   * stalled devices do not add up.
   */
  public void stop(Duration timeout) {
    dirs.forEach(d -> d.flusher().beginStop());
    long deadline = System.nanoTime() + timeout.toNanos();
    dirs.forEach(d -> d.flusher().awaitStop(deadline, timeout));
    dirs.forEach(d -> d.stopChores(deadline));
  }
}
