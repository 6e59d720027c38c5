package io.dovetail.examples.terasort;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import scala.Tuple2;

/**
 * A data set is a directory with one file per partition, {@code part-00000}, {@code part-00001},
 * ..., each a plain sequence of 100-byte records (no header: the files are the conventional
 * TeraSort format, readable by any tool that knows it), and a {@value #MARKER} file written by
 * the driver once every partition is written, holding {@code partitions=N}: a data set without
 * it is incomplete. Any Hadoop file system URI works; checksum side files are not written.
 * Stateless and thread-safe.
 */
public final class RecordFiles {
  private static final Pattern PART = Pattern.compile("part-(\\d{5,})");
  private static final int BUFFER = 1 << 20;
  public static final String MARKER = "_SUCCESS";

  private RecordFiles() {}

  /** The file of {@code partition} in {@code dir}. */
  public static String partFile(String dir, int partition) {
    return new Path(dir, String.format("part-%05d", partition)).toString();
  }

  /** The partition number of a part file's name, or -1 for any other file. */
  public static int partitionOf(String path) {
    Matcher m = PART.matcher(new Path(path).getName());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The part files of {@code dir}, in partition order; other files are ignored. */
  public static List<String> list(String dir) {
    try {
      Path path = new Path(dir);
      FileSystem fs = fileSystem(path);
      if (!fs.exists(path)) {
        throw new IllegalArgumentException("no data set at " + dir);
      }
      List<String> files = new ArrayList<>();
      for (FileStatus st : fs.listStatus(path)) {
        if (st.isFile() && partitionOf(st.getPath().toString()) >= 0) {
          files.add(st.getPath().toString());
        }
      }
      files.sort((a, b) -> Integer.compare(partitionOf(a), partitionOf(b)));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Marks the data set in {@code dir} complete with {@code partitions} partition files. */
  public static void writeMarker(String dir, int partitions) {
    Path path = new Path(dir, MARKER);
    try (OutputStream out = fileSystem(path).create(path, true)) {
      out.write(("partitions=" + partitions + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /** The partition count of the marker of {@code dir}; -1 when the data set has no marker. */
  public static int readMarker(String dir) {
    Path path = new Path(dir, MARKER);
    try {
      FileSystem fs = fileSystem(path);
      if (!fs.exists(path)) {
        return -1;
      }
      Properties p = new Properties();
      try (InputStream in = fs.open(path)) {
        p.load(in);
      }
      return Integer.parseInt(p.getProperty("partitions", "-1").trim());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Deletes {@code dir} and everything in it, if it exists. */
  public static void delete(String dir) {
    try {
      Path path = new Path(dir);
      fileSystem(path).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * Writes {@code records} (key, value) to {@code file}, replacing it, and returns their summary.
   */
  public static PartitionSummary write(String file, int partition,
      Iterator<Tuple2<byte[], byte[]>> records) {
    PartitionSummary.Builder summary = new PartitionSummary.Builder(partition);
    Path path = new Path(file);
    try (OutputStream out = new BufferedOutputStream(fileSystem(path).create(path, true), BUFFER)) {
      while (records.hasNext()) {
        Tuple2<byte[], byte[]> r = records.next();
        out.write(r._1(), 0, TeraRecords.KEY_SIZE);
        out.write(r._2(), 0, TeraRecords.VALUE_SIZE);
        summary.add(r._1(), r._2());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return summary.build();
  }

  /**
   * Reads every record of {@code file} into the summary of its partition; a file cut inside a
   * record is summarized up to its last whole record and reports the rest as partial bytes.
   */
  public static PartitionSummary summarize(String file) {
    PartitionSummary.Builder summary = new PartitionSummary.Builder(partitionOf(file));
    Path path = new Path(file);
    byte[] key = new byte[TeraRecords.KEY_SIZE];
    byte[] value = new byte[TeraRecords.VALUE_SIZE];
    try (InputStream in = new BufferedInputStream(fileSystem(path).open(path), BUFFER)) {
      while (true) {
        int n = in.readNBytes(key, 0, key.length);
        int m = n < key.length ? 0 : in.readNBytes(value, 0, value.length);
        if (n + m < TeraRecords.RECORD_SIZE) {
          summary.partial(n + m);
          break;
        }
        summary.add(key, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return summary.build();
  }

  /**
   * The records of {@code file} as fresh (key, value) arrays. The stream closes at the end; a
   * file whose length is not a multiple of 100 fails with the offending position.
   */
  public static Iterator<Tuple2<byte[], byte[]>> read(String file) {
    Path path = new Path(file);
    InputStream in;
    try {
      in = new BufferedInputStream(fileSystem(path).open(path), BUFFER);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
    return new Iterator<>() {
      private long position;
      private Tuple2<byte[], byte[]> next = advance();

      private Tuple2<byte[], byte[]> advance() {
        try {
          byte[] key = new byte[TeraRecords.KEY_SIZE];
          int n = in.readNBytes(key, 0, key.length);
          if (n == 0) {
            in.close();
            return null;
          }
          byte[] value = new byte[TeraRecords.VALUE_SIZE];
          int m = n < key.length ? 0 : in.readNBytes(value, 0, value.length);
          if (n < key.length || m < value.length) {
            in.close();
            throw new UncheckedIOException(new EOFException(file + " ends inside a record at byte "
                + (position + n + m) + ": it is not a file of " + TeraRecords.RECORD_SIZE
                + "-byte records"));
          }
          position += TeraRecords.RECORD_SIZE;
          return new Tuple2<>(key, value);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + file, e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Tuple2<byte[], byte[]> next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Tuple2<byte[], byte[]> r = next;
        next = advance();
        return r;
      }
    };
  }

  /** Reads {@code count} keys spread evenly over {@code file}, with positioned reads. */
  public static List<byte[]> sampleKeys(String file, int count) {
    Path path = new Path(file);
    try {
      FileSystem fs = fileSystem(path);
      long records = fs.getFileStatus(path).getLen() / TeraRecords.RECORD_SIZE;
      List<byte[]> keys = new ArrayList<>();
      if (records == 0) {
        return keys;
      }
      int n = (int) Math.min(count, records);
      try (FSDataInputStream in = fs.open(path)) {
        for (int i = 0; i < n; i++) {
          long record = (long) ((i + 0.5) * records / n);
          byte[] key = new byte[TeraRecords.KEY_SIZE];
          in.readFully(record * TeraRecords.RECORD_SIZE, key);
          keys.add(key);
        }
      }
      return keys;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sample " + file, e);
    }
  }

  /** The file system of {@code path}, with a default configuration (as on an executor). */
  static FileSystem fileSystem(Path path) throws IOException {
    FileSystem fs = path.getFileSystem(new Configuration());
    fs.setWriteChecksum(false);
    fs.setVerifyChecksum(false);
    return fs;
  }
}
