package io.dovetail.metadata.state;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dovetail.proto.DiskStatus;
import io.dovetail.proto.ServerState;
import java.util.ArrayList;
import java.util.List;

/**
 * Stored value formats. Every value starts with a format version byte ({@value #VERSION}); a value
 * with another version fails recovery with INTERNAL rather than being misread. Integers are
 * unsigned varints ({@link Bytes}); strings and blobs are length-prefixed.
 *
 * <pre>
 * server   v | host | port | incarnation | state | registeredAt | stateChangedAt | memoryLimit |
 *          version | nDisks | (DiskStatus protobuf as blob)*
 * app      v | ttlMs | registeredAt
 * shuffle  v | numMaps | numPartitions | replication | layoutVersion | registeredAt
 * epochs   v | n | (epoch | nServers | incarnation* | lostMask)*          one partition
 * commit   v | attemptId | stageRun | committedAt | numPartitions | flags |
 *          (blob of numPartitions varints)*       flags bit 0 bytes, 1 records, 2 batches present
 * </pre>
 *
 * An absent commit array means all zeros. Stateless and thread-safe.
 */
final class Codec {
  /** Disks one storage server may report; registrations and heartbeats with more are refused. */
  static final int MAX_DISKS = 4096;

  static final int VERSION = 1;
  /** Commit arrays, in stored order. */
  static final int BYTES = 0;
  static final int RECORDS = 1;
  static final int BATCHES = 2;

  private Codec() {}

  private static Bytes.Reader open(byte[] value, String what) {
    Bytes.Reader r = new Bytes.Reader(value);
    int v = r.u8();
    if (v != VERSION) {
      throw Bytes.corrupt(what + " value has format version " + v + ", this server reads "
          + VERSION);
    }
    return r;
  }

  static byte[] server(ServerRecord s) {
    Bytes.Writer w = new Bytes.Writer(128).u8(VERSION).string(s.host()).varInt(s.port())
        .varLong(s.incarnation()).varInt(s.state().getNumber()).varLong(s.registeredAtMs())
        .varLong(s.stateChangedAtMs()).varLong(s.memoryLimitBytes()).string(s.version())
        .varInt(s.disks().size());
    for (DiskStatus d : s.disks()) {
      w.blob(d.toByteArray());
    }
    return w.toByteArray();
  }

  /** Decodes a server record; its soft state starts at {@code nowMs} (a fresh grace period). */
  static ServerRecord server(byte[] value, long nowMs) {
    Bytes.Reader r = open(value, "server");
    String host = r.string();
    int port = r.varInt();
    long incarnation = r.varLong();
    ServerState state = ServerState.forNumber(r.varInt());
    if (state == null || state == ServerState.UNRECOGNIZED) {
      throw Bytes.corrupt("unknown server state");
    }
    long registeredAt = r.varLong();
    long changedAt = r.varLong();
    long memoryLimit = r.varLong();
    String version = r.string();
    int n = r.count(MAX_DISKS);
    List<DiskStatus> disks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        disks.add(DiskStatus.parseFrom(r.blob()));
      } catch (InvalidProtocolBufferException e) {
        throw Bytes.corrupt("disk status: " + e.getMessage());
      }
    }
    return new ServerRecord(host, port, incarnation, state, registeredAt, changedAt, memoryLimit,
        version, disks, nowMs, 0, 0, 0);
  }

  static byte[] app(long ttlMs, long registeredAtMs) {
    return new Bytes.Writer(24).u8(VERSION).varLong(ttlMs).varLong(registeredAtMs)
        .toByteArray();
  }

  /** Decodes an application; its heartbeat starts at {@code nowMs}. */
  static AppState app(String appId, byte[] value, long nowMs) {
    Bytes.Reader r = open(value, "application");
    long ttl = r.varLong();
    long registeredAt = r.varLong();
    return new AppState(appId, ttl, registeredAt, nowMs);
  }

  /** The header of {@code s} with layout version {@code layoutVersion}. */
  static byte[] shuffle(ShuffleState s, long layoutVersion) {
    return new Bytes.Writer(32).u8(VERSION).varInt(s.numMaps).varInt(s.numPartitions)
        .varInt(s.replication).varLong(layoutVersion).varLong(s.registeredAtMs).toByteArray();
  }

  static ShuffleState shuffle(String appId, int shuffleId, byte[] value) {
    Bytes.Reader r = open(value, "shuffle");
    int maps = r.count(Integer.MAX_VALUE - 8);
    int partitions = r.count(Integer.MAX_VALUE - 8);
    int replication = r.count(31);
    long layoutVersion = r.varLong();
    long registeredAt = r.varLong();
    return new ShuffleState(appId, shuffleId, maps, partitions, replication, registeredAt,
        layoutVersion);
  }

  static byte[] epochs(Epoch[] epochs) {
    Bytes.Writer w = new Bytes.Writer(8 + epochs.length * 16).u8(VERSION).varInt(epochs.length);
    for (Epoch e : epochs) {
      w.varInt(e.epoch).varInt(e.size());
      for (int i = 0; i < e.size(); i++) {
        w.varLong(e.server(i));
      }
      w.varInt(e.lostMask);
    }
    return w.toByteArray();
  }

  static Epoch[] epochs(byte[] value, Epoch.Interner interner) {
    Bytes.Reader r = open(value, "epochs");
    int n = r.count(1 << 20);
    if (n == 0) {
      throw Bytes.corrupt("partition without epochs");
    }
    Epoch[] out = new Epoch[n];
    for (int i = 0; i < n; i++) {
      int epoch = r.varInt();
      int servers = r.count(31);
      if (servers == 0) {
        throw Bytes.corrupt("epoch without servers");
      }
      long[] s = new long[servers];
      for (int j = 0; j < servers; j++) {
        s[j] = r.varLong();
      }
      out[i] = interner.intern(new Epoch(epoch, s, r.varInt()));
    }
    return out;
  }

  /** Encodes a commit; each array is null/empty (all zeros) or {@code numPartitions} long. */
  static byte[] commit(long attemptId, long stageRun, long committedAtMs, int numPartitions,
      long[][] arrays) {
    int flags = 0;
    int size = 32;
    for (int k = 0; k < arrays.length; k++) {
      if (arrays[k] != null && arrays[k].length > 0) {
        flags |= 1 << k;
        size += numPartitions * 3;
      }
    }
    Bytes.Writer w = new Bytes.Writer(size).u8(VERSION).varLong(attemptId).varLong(stageRun)
        .varLong(committedAtMs).varInt(numPartitions).u8(flags);
    for (int k = 0; k < arrays.length; k++) {
      if ((flags & (1 << k)) != 0) {
        Bytes.Writer a = new Bytes.Writer(numPartitions * 2);
        for (long v : arrays[k]) {
          a.varLong(v);
        }
        w.blob(a.toByteArray());
      }
    }
    return w.toByteArray();
  }

  /**
   * A decoded commit header with lazy access to its arrays: a read plan over a few partitions
   * skips the others' varints without materializing them. Not thread-safe.
   */
  static final class Commit {
    final long attemptId;
    /** Stage id and stage attempt ({@link CommitOps#stageRun}); records written before stage ids
     * were kept hold the attempt alone, which reads as stage id 0. */
    final long stageRun;
    final long committedAtMs;
    final int numPartitions;
    private final Bytes.Reader[] arrays = new Bytes.Reader[3];

    Commit(byte[] value) {
      Bytes.Reader r = open(value, "commit");
      attemptId = r.varLong();
      stageRun = r.varLong();
      committedAtMs = r.varLong();
      numPartitions = r.count(Integer.MAX_VALUE - 8);
      int flags = r.u8();
      for (int k = 0; k < 3; k++) {
        if ((flags & (1 << k)) != 0) {
          arrays[k] = r.blobReader();
        }
      }
    }

    boolean has(int kind) {
      return arrays[kind] != null;
    }

    /**
     * Adds {@code sign} x value of partitions {@code [from, to)} of array {@code kind} into {@code
     * target[0 .. to-from)}.
     */
    void addRange(int kind, int from, int to, long[] target, int sign) {
      Bytes.Reader src = arrays[kind];
      if (src == null) {
        return;
      }
      Bytes.Reader r = src.duplicate();
      r.skipVarLongs(from);
      for (int i = 0; i < to - from; i++) {
        target[i] += sign * r.varLong();
      }
    }

    /** The whole array (zeros when absent). */
    long[] full(int kind) {
      long[] out = new long[numPartitions];
      addRange(kind, 0, numPartitions, out, 1);
      return out;
    }
  }
}
