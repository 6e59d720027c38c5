package io.dovetail.storage.partition;

import io.dovetail.storage.disk.DataDir;
import io.dovetail.storage.disk.DataDirs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers the data directories at start: sealed files (data plus a valid index) are kept;
 * unsealed files, leftover temporary indexes and orphan indexes are deleted; empty shuffle and
 * application directories are removed. Files that do not carry the partition-file magic are left
 * alone (with a warning). Runs once, before the server serves; not thread-safe.
 */
public final class DirectoryScanner {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryScanner.class);

  private final PartitionStore store;
  private int deleted;

  public DirectoryScanner(PartitionStore store) {
    this.store = store;
  }

  /** Scans every directory; returns the sealed files found (not yet added to the store). */
  public List<PartitionFile> scan(DataDirs dirs) throws IOException {
    Map<PartitionKey, PartitionFile> found = new HashMap<>();
    for (DataDir dir : dirs.all()) {
      try (DirectoryStream<Path> apps = Files.newDirectoryStream(dir.path(), Files::isDirectory)) {
        for (Path app : apps) {
          try (DirectoryStream<Path> shuffles = Files.newDirectoryStream(app,
              Files::isDirectory)) {
            for (Path shuffle : shuffles) {
              scanShuffle(dir, shuffle, found);
              deleteIfEmpty(shuffle);
            }
          }
          deleteIfEmpty(app);
        }
      }
    }
    LOG.info("Found {} sealed partition files; deleted {} unsealed or partial files",
        found.size(), deleted);
    return new ArrayList<>(found.values());
  }

  private void scanShuffle(DataDir dir, Path shuffleDir, Map<PartitionKey, PartitionFile> found)
      throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(shuffleDir)) {
      ds.forEach(files::add);
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(PartitionFileFormat.TMP_SUFFIX)) {
        delete(p);
      } else if (name.endsWith(PartitionFileFormat.INDEX_SUFFIX)) {
        Path data = p.resolveSibling(name.substring(0,
            name.length() - PartitionFileFormat.INDEX_SUFFIX.length())
            + PartitionFileFormat.DATA_SUFFIX);
        if (!Files.exists(data)) {
          delete(p);
        }
      } else if (name.endsWith(PartitionFileFormat.DATA_SUFFIX)) {
        PartitionFile f = recover(dir, p);
        if (f == null) {
          continue;
        }
        PartitionFile previous = found.putIfAbsent(f.key(), f);
        if (previous != null) {
          LOG.warn("Partition file {} exists twice; keeping {}, deleting {}", f.key(),
              previous.dataPath(), p);
          f.discard(PartitionFile.State.DELETED);
        }
      }
    }
  }

  /** A recovered sealed file, or null (deleted when unsealed or damaged). */
  private PartitionFile recover(DataDir dir, Path data) throws IOException {
    Path index = PartitionFileFormat.indexPath(data);
    PartitionFileFormat.Header h;
    long length;
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      length = ch.size();
      h = PartitionFileFormat.readHeader(ch);
    } catch (PartitionFileFormat.CorruptFileException e) {
      if (e.isForeign()) {
        LOG.warn("Leaving {} alone: {}", data, e.getMessage());
        return null;
      }
      LOG.warn("Deleting damaged partition file {}: {}", data, e.getMessage());
      deleteFiles(data, index);
      return null;
    }
    PartitionKey key = new PartitionKey(h.appId(), h.shuffleId(), h.partition(), h.epoch());
    if (!PartitionFileFormat.dataPath(dir.path(), key).equals(data)) {
      LOG.warn("Deleting {}: its header names {}", data, key);
      deleteFiles(data, index);
      return null;
    }
    if (!Files.exists(index)) {
      LOG.debug("Deleting unsealed partition file {}", data);
      deleteFiles(data, index);
      return null;
    }
    try {
      PartitionFileFormat.readIndex(index, h.length(), length);
    } catch (PartitionFileFormat.CorruptFileException e) {
      LOG.warn("Deleting partition file {} with a bad index: {}", data, e.getMessage());
      deleteFiles(data, index);
      return null;
    }
    return PartitionFile.recovered(key, h.incarnation(), store, dir, data, length,
        Files.size(index));
  }

  private void deleteFiles(Path data, Path index) throws IOException {
    delete(data);
    Files.deleteIfExists(index);
  }

  private void delete(Path p) throws IOException {
    if (Files.deleteIfExists(p)) {
      deleted++;
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      if (ds.iterator().hasNext()) {
        return;
      }
    } catch (IOException e) {
      return;
    }
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Not empty after all: keep it.
    }
  }
}
