package io.dovetail.client.read;

import io.dovetail.client.DovetailClient;
import io.dovetail.client.Location;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.ChunkResponse;
import io.dovetail.common.protocol.CloseStreamRequest;
import io.dovetail.common.protocol.FetchChunkRequest;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.OpenStreamRequest;
import io.dovetail.common.protocol.SealRequest;
import io.dovetail.common.protocol.StreamOpened;
import io.dovetail.common.transport.TransportClient;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.EpochLocation;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.MapAttempt;
import io.dovetail.proto.PartitionReadPlan;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the committed output of a partition range (and optionally a map range), partition by
 * partition, as {@link ReadBatch}es.
 *
 * <p>For each partition, every epoch's file is streamed from its primary (a replica when the
 * primary is dead or fails; the new replica's repeats of already delivered batches are dropped).
 * Each batch is checked: its crc32c, that its attempt is the committed one, and that its
 * (map, batchSeq) was not delivered before. When a partition is done its bytes, records and
 * batches must match what was committed, else the reader throws {@link PartitionsLostException}:
 * DATA_LOST if some copy could not be read, INTEGRITY_MISMATCH otherwise. Batches delivered
 * before a failure must then be discarded by the caller.
 *
 * <p>Chunks are prefetched ahead of the consumer up to {@code maxBytesInFlight}. Not thread-safe:
 * one thread iterates; responses complete futures on transport threads.
 */
public final class ShuffleReader implements Iterator<ReadBatch>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShuffleReader.class);
  /** Streams opened ahead of the one being consumed. */
  private static final int MAX_STREAMS_AHEAD = 8;

  private final DovetailClient client;
  private final String appId;
  private final int shuffleId;
  private final int startMap;
  private final int endMap;
  private final ReadSettings settings;
  private final Map<Integer, Long> committed = new HashMap<>();
  private final int[] filterMaps;
  private final long[] filterAttempts;
  private final List<Source> sources = new ArrayList<>();
  /** Servers that failed every retry round of a source: not tried again by other sources. */
  private final Set<HostPort> givenUp = new HashSet<>();
  private final List<Part> parts = new ArrayList<>();
  private final ArrayDeque<ReadBatch> ready = new ArrayDeque<>();
  private final ReadMetrics metrics = new ReadMetrics();
  private final CRC32C crc = new CRC32C();
  private int consumeIdx;
  /** Partitions [0, verifiedUpTo) of {@link #parts} are read and verified. */
  private int verifiedUpTo;
  private long inFlight;
  private boolean done;
  private boolean closed;

  /** One partition being read. */
  private static final class Part {
    final PartitionReadPlan plan;
    final Set<Long> seen = new HashSet<>();
    final FragmentAssembler fragments = new FragmentAssembler();
    final List<String> failures = new ArrayList<>();
    long bytes;
    long records;
    long batches;
    boolean unreadable;

    Part(PartitionReadPlan plan) {
      this.plan = plan;
    }
  }

  /** One epoch's file of a partition, read from one of its servers at a time. */
  private static final class Source {
    final Part part;
    final int partIndex;
    final int epoch;
    final List<Location.Server> candidates;
    int candidate;
    TransportClient connection;
    CompletableFuture<Message> open;
    StreamOpened opened;
    int nextRequest;
    final ArrayDeque<Fetch> fetches = new ArrayDeque<>();
    boolean finished;
    /** Rounds over the candidates begun after the first. */
    int retries;

    Source(Part part, int partIndex, int epoch, List<Location.Server> candidates) {
      this.part = part;
      this.partIndex = partIndex;
      this.epoch = epoch;
      this.candidates = candidates;
    }

    Location.Server server() {
      return candidates.get(candidate);
    }
  }

  private record Fetch(int index, CompletableFuture<Message> future, long estimate) {}

  public ShuffleReader(DovetailClient client, String appId, int shuffleId, int startPartition,
      int endPartition, int startMap, int endMap, ReadSettings settings) {
    this.client = client;
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.settings = settings;
    GetReadPlanRequest.Builder req = GetReadPlanRequest.newBuilder().setAppId(appId)
        .setShuffleId(shuffleId).setStartPartition(startPartition).setEndPartition(endPartition);
    if (endMap >= 0) {
      req.setStartMap(startMap).setEndMap(endMap);
    }
    GetReadPlanResponse plan = client.metadata().readPlan(req.build());
    if (plan.getUncommittedMapsCount() > 0) {
      throw new DovetailException(ErrorCode.MAPS_NOT_COMMITTED, "shuffle " + appId + "/"
          + shuffleId + ": maps " + plan.getUncommittedMapsList() + " have no committed attempt");
    }
    this.startMap = endMap >= 0 ? startMap : 0;
    this.endMap = endMap >= 0 ? endMap : Integer.MAX_VALUE;
    if (this.endMap < this.startMap) {
      throw new DovetailException(ErrorCode.INVALID_ARGUMENT,
          "map range " + startMap + ".." + endMap + " is empty backwards");
    }
    filterMaps = new int[plan.getCommittedCount()];
    filterAttempts = new long[plan.getCommittedCount()];
    for (int i = 0; i < plan.getCommittedCount(); i++) {
      MapAttempt m = plan.getCommitted(i);
      filterMaps[i] = m.getMapIndex();
      filterAttempts[i] = m.getAttemptId();
      committed.put(m.getMapIndex(), m.getAttemptId());
    }
    Map<HostPort, List<SealRequest.Target>> seals = new HashMap<>();
    for (PartitionReadPlan pp : plan.getPartitionsList()) {
      Part part = new Part(pp);
      parts.add(part);
      if (pp.getExpectedBatches() == 0) {
        continue; // Nothing committed here: no need to touch any server.
      }
      for (EpochLocation e : pp.getEpochsList()) {
        Location loc = Location.of(pp.getPartition(), e, plan.getServersList());
        List<Location.Server> alive = new ArrayList<>();
        for (Location.Server s : loc.servers()) {
          if (s.alive()) {
            alive.add(s);
            seals.computeIfAbsent(s.address(), k -> new ArrayList<>())
                .add(new SealRequest.Target(pp.getPartition(), e.getEpoch()));
          }
        }
        Source src = new Source(part, parts.size() - 1, e.getEpoch(), alive);
        if (alive.isEmpty()) {
          markUnreadable(src, "no live server holds epoch " + e.getEpoch());
        }
        sources.add(src);
      }
    }
    sealReplicas(seals);
  }

  public ReadMetrics metrics() {
    return metrics;
  }

  /**
   * Seals every copy that will or may be read, so replicas are durable too; streams seal their
   * own file anyway. Best effort and asynchronous: a server with no open connection is sealed
   * from the client's retry executor, so a copy on a server that does not answer (gone but not
   * yet declared dead, or frozen) never holds up the reading task.
   */
  private void sealReplicas(Map<HostPort, List<SealRequest.Target>> seals) {
    seals.forEach((server, targets) -> {
      List<SealRequest> requests = SealRequest.split(appId, shuffleId, targets);
      TransportClient open = client.transport().connected(server);
      if (open != null) {
        requests.forEach(seal -> sendSeal(open, seal));
        return;
      }
      try {
        client.retryExecutor().execute(() -> {
          try {
            TransportClient c = client.transport().client(server);
            requests.forEach(seal -> sendSeal(c, seal));
          } catch (DovetailException e) {
            LOG.debug("Cannot seal on {}: {}", server, e.getMessage());
          }
        });
      } catch (RejectedExecutionException e) {
        LOG.debug("Not sealing on {}: the client is closing", server);
      }
    });
  }

  private static void sendSeal(TransportClient c, SealRequest seal) {
    c.request(seal).whenComplete((m, e) -> {
      if (m != null) {
        m.release();
      }
    });
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    while (ready.isEmpty()) {
      if (!advance()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public ReadBatch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ReadBatch b = ready.poll();
    metrics.batches++;
    metrics.records += b.recordCount();
    metrics.bytes += b.payload().readableBytes();
    return b;
  }

  /** Moves to the next chunk; false once every partition is read and verified. */
  private boolean advance() {
    if (done) {
      return false;
    }
    while (consumeIdx < sources.size()) {
      Source s = sources.get(consumeIdx);
      verifyBefore(s.partIndex);
      prefetch();
      ChunkResponse chunk = take(s);
      if (chunk == null) {
        consumeIdx++;
        continue;
      }
      decode(s, chunk);
      if (!ready.isEmpty()) {
        return true;
      }
    }
    verifyBefore(parts.size());
    done = true;
    return false;
  }

  /**
   * Verifies every partition before index {@code partIndex}: all their batches have been
   * delivered, and none of the next partition's yet.
   */
  private void verifyBefore(int partIndex) {
    while (verifiedUpTo < partIndex) {
      verify(parts.get(verifiedUpTo++));
    }
  }

  private void verify(Part p) {
    int partition = p.plan.getPartition();
    boolean incomplete = !p.fragments.isEmpty();
    p.fragments.clear();
    // Without the integrity check, the batch count and whole payloads still are: they cost
    // nothing, and without them a copy that answers "no such file" reads as empty.
    boolean match = !incomplete && p.batches == p.plan.getExpectedBatches()
        && (!settings.integrityCheck() || p.bytes == p.plan.getExpectedBytes()
            && p.records == p.plan.getExpectedRecords());
    if (match) {
      return;
    }
    if (p.unreadable) {
      throw lost(partition, p);
    }
    throw new PartitionsLostException(ErrorCode.INTEGRITY_MISMATCH, new int[] {partition},
        "shuffle " + appId + "/" + shuffleId + " partition " + partition + ": read " + p.bytes
            + " bytes, " + p.records + " records, " + p.batches + " batches but "
            + p.plan.getExpectedBytes() + " bytes, " + p.plan.getExpectedRecords() + " records, "
            + p.plan.getExpectedBatches() + " batches were committed"
            + (incomplete ? " (a fragmented payload is incomplete)" : ""));
  }

  private PartitionsLostException lost(int partition, Part p) {
    return new PartitionsLostException(ErrorCode.DATA_LOST, new int[] {partition},
        "shuffle " + appId + "/" + shuffleId + " partition " + partition
            + ": committed data is unavailable on every replica (" + String.join("; ", p.failures)
            + ")");
  }

  /** Starts opens and chunk requests ahead of the consumer, within the byte budget. */
  private void prefetch() {
    int opened = 0;
    for (int i = consumeIdx; i < sources.size() && inFlight < settings.maxBytesInFlight(); i++) {
      Source s = sources.get(i);
      if (s.finished) {
        continue;
      }
      if (s.open == null) {
        if (opened >= MAX_STREAMS_AHEAD) {
          return;
        }
        startOpen(s);
      }
      opened++;
      if (s.opened == null) {
        if (!s.open.isDone() || s.open.isCompletedExceptionally()) {
          continue;
        }
        s.opened = (StreamOpened) s.open.join();
      }
      while (s.nextRequest < s.opened.numChunks() && inFlight < settings.maxBytesInFlight()) {
        request(s);
      }
    }
  }

  private void startOpen(Source s) {
    Location.Server server = s.server();
    OpenStreamRequest req = new OpenStreamRequest(appId, shuffleId, s.part.plan.getPartition(),
        s.epoch, server.incarnation(), startMap, endMap, filterMaps, filterAttempts);
    try {
      s.connection = client.transport().client(server.address());
      s.open = s.connection.request(req);
      metrics.streams++;
    } catch (DovetailException e) {
      s.open = CompletableFuture.failedFuture(e);
    }
  }

  private void request(Source s) {
    long estimate = Math.max(1, (s.opened.totalBytes() + s.opened.numChunks() - 1)
        / Math.max(1, s.opened.numChunks()));
    int index = s.nextRequest++;
    CompletableFuture<Message> f =
        s.connection.request(new FetchChunkRequest(s.opened.streamId(), index));
    s.fetches.add(new Fetch(index, f, estimate));
    inFlight += estimate;
  }

  /** The next chunk of {@code s}, failing over between replicas; null when {@code s} is done. */
  private ChunkResponse take(Source s) {
    while (true) {
      if (s.finished) {
        return null;
      }
      if (s.open == null) {
        startOpen(s);
      }
      if (s.opened == null) {
        try {
          s.opened = (StreamOpened) await(s.open);
        } catch (DovetailException e) {
          if (e.code() == ErrorCode.UNKNOWN_PARTITION) {
            // This server never received data for this epoch (a restart would have shown as
            // STALE_INCARNATION): an empty file. The partition's totals still get checked.
            s.finished = true;
            return null;
          }
          failover(s, e);
          continue;
        }
      }
      if (s.fetches.isEmpty()) {
        if (s.nextRequest >= s.opened.numChunks()) {
          finish(s);
          return null;
        }
        request(s);
      }
      Fetch f = s.fetches.poll();
      inFlight -= f.estimate;
      try {
        ChunkResponse c = (ChunkResponse) await(f.future);
        metrics.remoteBytes += c.data().readableBytes();
        return c;
      } catch (DovetailException e) {
        failover(s, e);
      }
    }
  }

  private Message await(CompletableFuture<Message> f) {
    long start = System.nanoTime();
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted while reading", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof DovetailException de ? de
          : new DovetailException(ErrorCode.INTERNAL, String.valueOf(c), c);
    } finally {
      metrics.fetchWaitNanos += System.nanoTime() - start;
    }
  }

  private void finish(Source s) {
    s.finished = true;
    closeStream(s);
  }

  /** Drops what {@code s} has in flight and moves it to its next replica, if any. */
  private void failover(Source s, DovetailException e) {
    Location.Server server = s.server();
    LOG.warn("Reading shuffle {}/{} partition {} epoch {} from {} failed: {}", appId, shuffleId,
        s.part.plan.getPartition(), s.epoch, server.address(), e.getMessage());
    discard(s);
    closeStream(s);
    // A broken connection: the others to that server most likely broke with it. Not after a
    // timeout: the pooled connections are shared with other tasks' reads and pushes, which a
    // slow answer to this one is no reason to cut.
    if (e.code() == ErrorCode.CONNECTION_FAILED) {
      client.transport().closeClients(server.address());
    }
    s.open = null;
    s.opened = null;
    s.nextRequest = 0;
    s.candidate++;
    metrics.failovers++;
    if (s.candidate < s.candidates.size()) {
      return;
    }
    // Every copy failed this round. A connection that broke (a server restarting its
    // connections, another task's failover closing the pool) may well serve on the next try:
    // batches already returned are dropped as repeats. The first round again is at once, later
    // ones further apart, and none before a failed connect's fail-fast window has passed.
    // Copies on servers that failed every round for another source of this reader are not
    // tried again, so a dead server costs the rounds once, not once per partition.
    boolean exhausted = s.candidates.stream().allMatch(c -> givenUp.contains(c.address()));
    if (retriable(e.code()) && s.retries < settings.maxRetries() && !exhausted) {
      long waitMs = s.retries == 0 ? 0 : settings.retryWaitMs() << Math.min(s.retries - 1, 10);
      // A round inside the fail-fast window of a failed connect would not reach the network.
      long failFastNanos = s.candidates.stream()
          .mapToLong(c -> client.transport().failFastRemainingNanos(c.address())).min().orElse(0);
      waitMs = Math.max(waitMs, TimeUnit.NANOSECONDS.toMillis(failFastNanos + 999_999));
      s.retries++;
      s.candidate = 0;
      LOG.info("Reading shuffle {}/{} partition {} epoch {}: trying its copies again in {} ms "
          + "(round {} of {})", appId, shuffleId, s.part.plan.getPartition(), s.epoch, waitMs,
          s.retries, settings.maxRetries());
      try {
        Thread.sleep(waitMs);
        return;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (retriable(e.code())) {
      s.candidates.forEach(c -> givenUp.add(c.address()));
    }
    s.candidate = s.candidates.size() - 1;
    markUnreadable(s, server.address() + ": " + e.getMessage());
  }

  /**
   * Failures of a connection, not of the data: worth another round over the copies. Not a
   * timeout: a server that did not answer within the request timeout would cost it again.
   */
  private static boolean retriable(ErrorCode code) {
    return code == ErrorCode.CONNECTION_FAILED || code == ErrorCode.UNAVAILABLE
        || code == ErrorCode.SERVER_BUSY;
  }

  private void markUnreadable(Source s, String why) {
    s.finished = true;
    s.part.unreadable = true;
    s.part.failures.add("epoch " + s.epoch + ": " + why);
  }

  private void discard(Source s) {
    for (Fetch f : s.fetches) {
      inFlight -= f.estimate;
      f.future.whenComplete((m, err) -> {
        if (m != null) {
          m.release();
        }
      });
    }
    s.fetches.clear();
  }

  private void closeStream(Source s) {
    closeStream(s.connection, s.opened);
  }

  /** Tells the server it may drop {@code opened}; does not wait for the answer. */
  private static void closeStream(TransportClient connection, StreamOpened opened) {
    if (opened != null && connection != null && connection.isActive()) {
      connection.request(new CloseStreamRequest(opened.streamId())).whenComplete((m, e) -> {
        if (m != null) {
          m.release();
        }
      });
    }
  }

  /** Splits a chunk into batches, checking each; on corruption, fails over for the rest. */
  private void decode(Source s, ChunkResponse chunk) {
    ByteBuf buf = chunk.data();
    try {
      while (buf.isReadable()) {
        BatchHeader h;
        try {
          h = BatchHeader.read(buf);
        } catch (DovetailException e) {
          failover(s, new DovetailException(ErrorCode.INTEGRITY_MISMATCH, "bad batch header"));
          return;
        }
        if (buf.readableBytes() < h.length()) {
          failover(s, new DovetailException(ErrorCode.INTEGRITY_MISMATCH, "truncated batch"));
          return;
        }
        ByteBuf payload = buf.readSlice(h.length());
        crc.reset();
        for (ByteBuffer b : payload.nioBuffers()) {
          crc.update(b);
        }
        if ((int) crc.getValue() != h.crc32c()) {
          failover(s, new DovetailException(ErrorCode.INTEGRITY_MISMATCH, "checksum mismatch in "
              + "map " + h.mapIndex() + " batch " + h.batchSeq()));
          return;
        }
        accept(s.part, h, payload);
      }
    } finally {
      chunk.release();
    }
  }

  private void accept(Part p, BatchHeader h, ByteBuf payload) {
    Long attempt = committed.get(h.mapIndex());
    if (attempt == null || attempt != h.attemptId() || h.mapIndex() < startMap
        || h.mapIndex() >= endMap) {
      metrics.skipped++;
      return;
    }
    if (!p.seen.add(((long) h.mapIndex() << 32) | (h.batchSeq() & 0xffffffffL))) {
      metrics.duplicates++;
      return;
    }
    p.bytes += h.length();
    p.records += h.recordCount();
    p.batches++;
    int partition = p.plan.getPartition();
    if (h.isFragment()) {
      ReadBatch joined = p.fragments.add(partition, h, payload.retainedSlice());
      if (joined != null) {
        ready.add(joined);
      }
    } else {
      ready.add(new ReadBatch(partition, h.mapIndex(), h.attemptId(), h.recordCount(),
          payload.retainedSlice()));
    }
  }

  /** Stops reading and releases everything held. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Source s : sources) {
      discard(s);
      if (!s.finished) {
        closeStream(s);
      }
      if (s.open != null && s.opened == null) {
        // An open still in flight, or answered but not yet taken up: the server holds the stream
        // until told otherwise.
        TransportClient connection = s.connection;
        s.open.whenComplete((m, e) -> {
          if (m instanceof StreamOpened opened) {
            closeStream(connection, opened);
          }
          if (m != null) {
            m.release();
          }
        });
      }
    }
    for (ReadBatch b : ready) {
      b.release();
    }
    ready.clear();
    for (Part p : parts) {
      p.fragments.clear();
    }
  }
}
