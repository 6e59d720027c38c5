package io.dovetail.examples.terasort;

import java.io.Serializable;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * What one partition file holds: its record count, the sum of its records' CRC32s, its first and
 * last keys, and where (if anywhere) its keys first go down. Immutable once built; thread-safe.
 */
public final class PartitionSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int partition;
  private final long records;
  private final long checksum;
  private final byte[] firstKey;
  private final byte[] lastKey;
  private final long firstUnsorted;
  private final int partialBytes;

  PartitionSummary(int partition, long records, long checksum, byte[] firstKey, byte[] lastKey,
      long firstUnsorted, int partialBytes) {
    this.partition = partition;
    this.records = records;
    this.checksum = checksum;
    this.firstKey = firstKey;
    this.lastKey = lastKey;
    this.firstUnsorted = firstUnsorted;
    this.partialBytes = partialBytes;
  }

  public int partition() {
    return partition;
  }

  public long records() {
    return records;
  }

  /** Sum modulo 2^64 of the CRC32 of every record. */
  public long checksum() {
    return checksum;
  }

  /** The first key, or {@code null} for an empty partition. */
  public byte[] firstKey() {
    return firstKey == null ? null : firstKey.clone();
  }

  /** The last key, or {@code null} for an empty partition. */
  public byte[] lastKey() {
    return lastKey == null ? null : lastKey.clone();
  }

  /** Index of the first record whose key is below its predecessor's; -1 when sorted. */
  public long firstUnsorted() {
    return firstUnsorted;
  }

  /** Bytes after the last whole record: a file cut short. 0 for a well-formed file. */
  public int partialBytes() {
    return partialBytes;
  }

  @Override
  public String toString() {
    return "partition " + partition + ": " + records + " records, checksum "
        + Long.toHexString(checksum) + ", keys " + TeraRecords.hex(firstKey) + ".."
        + TeraRecords.hex(lastKey) + (firstUnsorted < 0 ? "" : ", unsorted at " + firstUnsorted)
        + (partialBytes == 0 ? "" : ", " + partialBytes + " bytes of a partial record");
  }

  /** Accumulates a summary record by record. Not thread-safe. */
  public static final class Builder {
    private final int partition;
    private final CRC32 crc = new CRC32();
    private final byte[] previous = new byte[TeraRecords.KEY_SIZE];
    private long records;
    private long checksum;
    private byte[] firstKey;
    private long firstUnsorted = -1;
    private int partialBytes;

    public Builder(int partition) {
      this.partition = partition;
    }

    /** Adds the next record; the arrays are only read during the call. */
    public void add(byte[] key, byte[] value) {
      checksum += TeraRecords.checksum(crc, key, value);
      if (records == 0) {
        firstKey = Arrays.copyOf(key, TeraRecords.KEY_SIZE);
      } else if (firstUnsorted < 0 && TeraRecords.compareKeys(key, previous) < 0) {
        firstUnsorted = records;
      }
      System.arraycopy(key, 0, previous, 0, TeraRecords.KEY_SIZE);
      records++;
    }

    /** Notes that the data ended {@code bytes} into a record. */
    public void partial(int bytes) {
      partialBytes = bytes;
    }

    public PartitionSummary build() {
      byte[] last = records == 0 ? null : previous.clone();
      return new PartitionSummary(partition, records, checksum, firstKey, last, firstUnsorted,
          partialBytes);
    }
  }
}
