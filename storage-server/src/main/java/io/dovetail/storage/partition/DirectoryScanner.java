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

  /**
   * Scans every directory; returns the sealed files found (not yet added to the store). An entry
   * that cannot be read (lost+found at a mount's root, a file of another owner, a failing block)
   * is logged and left alone, and a directory that cannot be listed takes no new files until the
   * next start (its sealed files are not offered, its leftovers not cleaned): neither
   * keeps the server, and the sealed files on its other directories, from starting.
   */
  public List<PartitionFile> scan(DataDirs dirs) {
    Map<PartitionKey, PartitionFile> found = new HashMap<>();
    for (DataDir dir : dirs.all()) {
      if (!dir.isUsable()) {
        continue; // could not be opened at start: reported unhealthy, never scanned or used
      }
      try (DirectoryStream<Path> apps = Files.newDirectoryStream(dir.path(), Files::isDirectory)) {
        for (Path app : apps) {
          scanApp(dir, app, found);
        }
      } catch (IOException | java.nio.file.DirectoryIteratorException e) {
        dir.markUnscanned("cannot list it; its sealed files are not offered: " + e);
      }
    }
    LOG.info("Found {} sealed partition files; deleted {} unsealed or partial files",
        found.size(), deleted);
    return new ArrayList<>(found.values());
  }

  private void scanApp(DataDir dir, Path app, Map<PartitionKey, PartitionFile> found) {
    try (DirectoryStream<Path> shuffles = Files.newDirectoryStream(app, Files::isDirectory)) {
      for (Path shuffle : shuffles) {
        try {
          scanShuffle(dir, shuffle, found);
          deleteIfEmpty(shuffle);
        } catch (IOException e) {
          LOG.warn("Leaving {} alone: cannot read it: {}", shuffle, e.toString());
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      LOG.warn("Leaving {} alone: cannot read it: {}", app, e.toString());
      return;
    }
    deleteIfEmpty(app);
  }

  private void scanShuffle(DataDir dir, Path shuffleDir, Map<PartitionKey, PartitionFile> found)
      throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(shuffleDir)) {
      ds.forEach(files::add);
    }
    for (Path p : files) {
      try {
        scanFile(dir, p, found);
      } catch (IOException e) {
        LOG.warn("Leaving {} alone: cannot read it: {}", p, e.toString());
      }
    }
  }

  private void scanFile(DataDir dir, Path p, Map<PartitionKey, PartitionFile> found)
      throws IOException {
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
        return;
      }
      PartitionFile previous = found.putIfAbsent(f.key(), f);
      if (previous != null) {
        LOG.warn("Partition file {} exists twice; keeping {}, deleting {}", f.key(),
            previous.dataPath(), p);
        f.discard(PartitionFile.State.DELETED);
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
