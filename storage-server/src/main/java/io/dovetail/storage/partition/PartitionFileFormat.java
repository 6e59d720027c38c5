package io.dovetail.storage.partition;

import io.dovetail.common.protocol.BatchHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of partition files. Stateless; thread-safe.
 *
 * <pre>
 * data file   &lt;dir&gt;/&lt;app&gt;/&lt;shuffle&gt;/&lt;partition&gt;-&lt;epoch&gt;.data
 *   header    magic "DVTLPART" (8) | version int16 | incarnation int64 |
 *             appId (length int16, UTF-8) | shuffle int32 | partition int32 | epoch int32
 *   records   BatchHeader (29 bytes) | payload, repeated, in arrival order
 *
 * index file  &lt;dir&gt;/&lt;app&gt;/&lt;shuffle&gt;/&lt;partition&gt;-&lt;epoch&gt;.index, written at seal
 *   magic "DVTLINDX" (8) | version int16 | dataLength int64 | count int32 |
 *   (offset int64, mapIndex int32, attemptId int64, batchSeq int32, length int32) * count |
 *   crc32c int32 over every byte before it
 * </pre>
 *
 * All integers are big-endian. {@code incarnation} is the storage server incarnation that wrote the
 * file. In the index, {@code offset} is the file position of a record's BatchHeader, {@code length}
 * its payload length (the record is 29 bytes longer), and {@code dataLength} the data file's
 * length. Records are contiguous: the first starts right after the header and each starts where
 * the previous ends; the last ends at {@code dataLength}. A data file without a valid index is an
 * unsealed file: its tail died with the process, and it is deleted at start.
 *
 * <p>The index is written to {@code .index.tmp}, synced, renamed over {@code .index} atomically,
 * and the directory synced, so an index is either whole or absent.
 *
 * <p>{@code <app>} is the application id with every character outside {@code [A-Za-z0-9_.-]} (and
 * a leading '.') written as {@code %XX} per UTF-8 byte, so no id can escape the directory.
 */
public final class PartitionFileFormat {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionFileFormat.class);
  public static final short VERSION = 1;
  static final byte[] DATA_MAGIC = "DVTLPART".getBytes(StandardCharsets.US_ASCII);
  static final byte[] INDEX_MAGIC = "DVTLINDX".getBytes(StandardCharsets.US_ASCII);
  static final int INDEX_HEADER_SIZE = 8 + 2 + 8 + 4;
  static final String DATA_SUFFIX = ".data";
  static final String INDEX_SUFFIX = ".index";
  static final String TMP_SUFFIX = ".index.tmp";
  /** Longest application id accepted: its encoded form must fit in a file name. */
  public static final int MAX_APP_ID_BYTES = 80;

  private PartitionFileFormat() {}

  /** A data file's header fields. */
  public record Header(long incarnation, String appId, int shuffleId, int partition, int epoch,
      int length) {}

  /** A file that is not a valid partition file of this version. */
  public static final class CorruptFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean foreign;

    CorruptFileException(String message) {
      this(message, false);
    }

    CorruptFileException(String message, boolean foreign) {
      super(message);
      this.foreign = foreign;
    }

    /** True when the file does not even carry the partition-file magic: not ours. */
    public boolean isForeign() {
      return foreign;
    }
  }

  /** True when {@code appId} can name files: non-empty and short enough. */
  public static boolean validAppId(String appId) {
    return !appId.isEmpty()
        && appId.getBytes(StandardCharsets.UTF_8).length <= MAX_APP_ID_BYTES;
  }

  static String encodeAppId(String appId) {
    StringBuilder sb = new StringBuilder(appId.length());
    byte[] bytes = appId.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
          || b == '_' || b == '-' || (b == '.' && i > 0);
      if (plain) {
        sb.append((char) b);
      } else {
        sb.append('%').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
      }
    }
    return sb.toString();
  }

  static Path shuffleDir(Path root, String appId, int shuffleId) {
    return root.resolve(encodeAppId(appId)).resolve(Integer.toString(shuffleId));
  }

  /**
   * Removes {@code dir} and then its parents up to (not including) {@code root}, each only if it
   * is empty; stops at the first that is not. Writers recreate a directory pruned under them
   * ({@link DataFileWriter}), so pruning may race them.
   */
  static void pruneEmptyDirs(Path root, Path dir) {
    for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      try {
        Files.deleteIfExists(d);
      } catch (DirectoryNotEmptyException e) {
        return;
      } catch (IOException e) {
        LOG.debug("Cannot remove empty directory {}: {}", d, e.toString());
        return;
      }
    }
  }

  static Path dataPath(Path root, PartitionKey k) {
    return shuffleDir(root, k.appId(), k.shuffleId())
        .resolve(k.partition() + "-" + k.epoch() + DATA_SUFFIX);
  }

  static Path indexPath(Path data) {
    return sibling(data, INDEX_SUFFIX);
  }

  static Path tmpIndexPath(Path data) {
    return sibling(data, TMP_SUFFIX);
  }

  private static Path sibling(Path data, String suffix) {
    String name = data.getFileName().toString();
    return data.resolveSibling(name.substring(0, name.length() - DATA_SUFFIX.length()) + suffix);
  }

  static int headerLength(String appId) {
    return 8 + 2 + 8 + 2 + appId.getBytes(StandardCharsets.UTF_8).length + 4 + 4 + 4;
  }

  static ByteBuffer encodeHeader(long incarnation, PartitionKey k) {
    byte[] app = k.appId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(headerLength(k.appId()));
    b.put(DATA_MAGIC).putShort(VERSION).putLong(incarnation).putShort((short) app.length).put(app)
        .putInt(k.shuffleId()).putInt(k.partition()).putInt(k.epoch());
    return b.flip();
  }

  /** Reads and checks a data file's header. */
  static Header readHeader(FileChannel ch) throws IOException {
    ByteBuffer fixed = ByteBuffer.allocate(8 + 2 + 8 + 2);
    readFully(ch, fixed, 0, "data file header");
    byte[] magic = new byte[8];
    fixed.get(magic);
    if (!Arrays.equals(magic, DATA_MAGIC)) {
      throw new CorruptFileException("not a partition data file (bad magic)", true);
    }
    short version = fixed.getShort();
    if (version != VERSION) {
      throw new CorruptFileException("data file version " + version + ", expected " + VERSION);
    }
    long incarnation = fixed.getLong();
    int appLength = fixed.getShort() & 0xffff;
    if (appLength == 0 || appLength > MAX_APP_ID_BYTES) {
      throw new CorruptFileException("bad application id length " + appLength);
    }
    ByteBuffer rest = ByteBuffer.allocate(appLength + 12);
    readFully(ch, rest, fixed.capacity(), "data file header");
    byte[] app = new byte[appLength];
    rest.get(app);
    String appId = new String(app, StandardCharsets.UTF_8);
    return new Header(incarnation, appId, rest.getInt(), rest.getInt(), rest.getInt(),
        fixed.capacity() + rest.capacity());
  }

  /**
   * Writes the index of a sealed file atomically (temporary file, sync, rename, directory sync).
   *
   * @return the index file's length
   */
  static long writeIndex(Path data, long dataLength, BatchIndex index, boolean sync)
      throws IOException {
    Path tmp = tmpIndexPath(data);
    CRC32C crc = new CRC32C();
    int count = index.size();
    long length = INDEX_HEADER_SIZE + (long) count * BatchIndex.ENTRY_SIZE + 4;
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, 64 * 1024));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      buf.put(INDEX_MAGIC).putShort(VERSION).putLong(dataLength).putInt(count);
      for (int i = 0; i < count; i++) {
        if (buf.remaining() < BatchIndex.ENTRY_SIZE) {
          drain(ch, buf, crc);
        }
        buf.putLong(index.offset(i)).putInt(index.mapIndex(i)).putLong(index.attemptId(i))
            .putInt(index.batchSeq(i)).putInt(index.length(i));
      }
      if (buf.remaining() < 4) {
        drain(ch, buf, crc);
      }
      buf.flip();
      crc.update(buf.duplicate());
      buf.position(buf.limit()).limit(buf.capacity());
      buf.putInt((int) crc.getValue());
      buf.flip();
      writeFully(ch, buf);
      if (sync) {
        ch.force(true);
      }
    }
    Files.move(tmp, indexPath(data), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (sync) {
      syncDirectory(data.getParent());
    }
    return length;
  }

  private static void drain(FileChannel ch, ByteBuffer buf, CRC32C crc) throws IOException {
    buf.flip();
    crc.update(buf.duplicate());
    writeFully(ch, buf);
    buf.clear();
  }

  /**
   * Reads and fully checks an index: magic, version, checksum, and that its records tile the data
   * file exactly from {@code headerLength} to {@code dataLength}.
   */
  static BatchIndex readIndex(Path indexFile, int headerLength, long dataLength)
      throws IOException {
    try (FileChannel ch = FileChannel.open(indexFile, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < INDEX_HEADER_SIZE + 4 || size > Integer.MAX_VALUE) {
        throw new CorruptFileException("index of " + size + " bytes");
      }
      ByteBuffer all = ByteBuffer.allocate((int) size);
      readFully(ch, all, 0, "index");
      CRC32C crc = new CRC32C();
      crc.update(all.array(), 0, (int) size - 4);
      if ((int) crc.getValue() != all.getInt((int) size - 4)) {
        throw new CorruptFileException("index checksum mismatch");
      }
      byte[] magic = new byte[8];
      all.get(magic);
      if (!Arrays.equals(magic, INDEX_MAGIC)) {
        throw new CorruptFileException("not a partition index (bad magic)");
      }
      short version = all.getShort();
      if (version != VERSION) {
        throw new CorruptFileException("index version " + version + ", expected " + VERSION);
      }
      long indexedLength = all.getLong();
      int count = all.getInt();
      if (size != INDEX_HEADER_SIZE + (long) count * BatchIndex.ENTRY_SIZE + 4 || count < 0) {
        throw new CorruptFileException("index of " + size + " bytes cannot hold " + count
            + " entries");
      }
      if (indexedLength != dataLength) {
        throw new CorruptFileException("index covers " + indexedLength
            + " bytes but the data file has " + dataLength);
      }
      BatchIndex index = new BatchIndex(count);
      long expected = headerLength;
      for (int i = 0; i < count; i++) {
        long offset = all.getLong();
        int map = all.getInt();
        long attempt = all.getLong();
        int seq = all.getInt();
        int length = all.getInt();
        if (offset != expected || length < 0 || map < 0 || seq < 0) {
          throw new CorruptFileException("index entry " + i + " does not follow its predecessor");
        }
        index.add(offset, map, attempt, seq, length);
        expected = offset + BatchHeader.SIZE + length;
      }
      if (expected != dataLength) {
        throw new CorruptFileException("index records end at " + expected
            + " but the data file has " + dataLength + " bytes");
      }
      return index;
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the rename is still atomic.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, String what)
      throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new CorruptFileException("truncated " + what);
      }
      pos += n;
    }
    buf.flip();
  }
}
