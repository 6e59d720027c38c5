package io.dovetail.client.push;

import io.dovetail.client.CommitResult;
import io.dovetail.client.DovetailClient;
import io.dovetail.client.Location;
import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.protocol.BatchHeader;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.transport.TransportClient;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.ShuffleLayout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the output of one map attempt and commits it.
 *
 * <p>{@link #push} takes a payload for a partition, checksums it, and gathers it with other
 * batches bound for the same servers into a frame of about {@code frameSize} bytes, sent
 * asynchronously. At most {@code maxInFlightBytes} may be unacknowledged; {@code push} blocks
 * beyond that. A batch is held until acknowledged: after a retriable error it is resent to the
 * same place, after a location failure (dead server, sealed or full file, failed replica) the
 * location is reported and it goes to the partition's new epoch. {@link #commit} waits for every
 * acknowledgement, then commits the attempt with its per-partition counts.
 *
 * <p>Thread-safety: {@code push}, {@code flush}, {@code commit} and {@code close} are called by
 * one thread (the task); acknowledgements arrive on transport threads and retries run on the
 * client's retry executor, and all shared state is guarded by this object's monitor.
 */
public final class ShufflePusher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShufflePusher.class);

  private final DovetailClient client;
  private final String appId;
  private final int shuffleId;
  private final int mapIndex;
  private final long attemptId;
  private final int stageId;
  private final int stageAttempt;
  private final int numPartitions;
  private final long frameSize;
  private final long frameLimit;
  /** Batches handed to the retry executor and not yet resent. */
  private final Set<List<Pending>> queued = ConcurrentHashMap.newKeySet();
  private final int maxBatch;
  private final int maxRetries;
  private final long retryWaitMs;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final CRC32C crc = new CRC32C();

  // Task thread only.
  private final long[] bytes;
  private final long[] records;
  private final long[] batches;
  private final int[] nextSeq;
  private final Map<Destination, List<Pending>> open = new LinkedHashMap<>();
  private final Map<Destination, Long> openBytes = new HashMap<>();
  private boolean committed;
  /** Where new batches go: the newest layout seen (reroutes, on the retry executor, move it). */
  private final AtomicReference<ShuffleLayout> layout;

  // Guarded by this.
  private int outstanding;
  private DovetailException fatal;
  private boolean closed;

  private final PushMetrics metrics = new PushMetrics();

  /** The servers a frame goes to: a primary and the replicas it forwards to. */
  private record Destination(Location.Server primary, List<Location.Server> replicas) {
    static Destination of(Location loc) {
      return new Destination(loc.primary(), loc.servers().subList(1, loc.servers().size()));
    }
  }

  /** A batch held until acknowledged. Its location may change when it is rerouted. */
  private static final class Pending {
    final int partition;
    final BatchHeader header;
    final ByteBuf payload;
    Location location;
    int tries;

    Pending(int partition, BatchHeader header, ByteBuf payload, Location location) {
      this.partition = partition;
      this.header = header;
      this.payload = payload;
      this.location = location;
    }
  }

  public ShufflePusher(DovetailClient client, String appId, int shuffleId, int mapIndex,
      long attemptId, int stageId, int stageAttempt, PushSettings settings) {
    this.client = client;
    this.appId = appId;
    this.shuffleId = shuffleId;
    this.mapIndex = mapIndex;
    this.attemptId = attemptId;
    this.stageId = stageId;
    this.stageAttempt = stageAttempt;
    ShuffleLayout initial = client.layout(appId, shuffleId);
    this.layout = new AtomicReference<>(initial);
    this.numPartitions = initial.getNumPartitions();
    if (mapIndex < 0 || mapIndex >= initial.getNumMaps()) {
      throw new DovetailException(ErrorCode.INVALID_ARGUMENT,
          "map index " + mapIndex + " outside 0.." + (initial.getNumMaps() - 1));
    }
    this.frameSize = settings.frameSize();
    this.frameLimit = settings.frameLimit();
    this.maxBatch = settings.maxBatchBytes();
    this.maxRetries = settings.maxRetries();
    this.retryWaitMs = settings.retryWaitMs();
    this.maxInFlight = settings.maxInFlightBytes();
    this.inFlight = new Semaphore(maxInFlight);
    this.bytes = new long[numPartitions];
    this.records = new long[numPartitions];
    this.batches = new long[numPartitions];
    this.nextSeq = new int[numPartitions];
  }

  public int numPartitions() {
    return numPartitions;
  }

  public PushMetrics metrics() {
    return metrics;
  }

  /** Payload bytes pushed so far per partition (the array is live; do not modify). */
  public long[] partitionBytes() {
    return bytes;
  }

  public long[] partitionRecords() {
    return records;
  }

  /**
   * Pushes {@code payload} (taking ownership of it) holding {@code recordCount} records for
   * {@code partition}. Blocks while too many bytes are unacknowledged. Fails fast once an earlier
   * batch failed for good.
   */
  public void push(int partition, ByteBuf payload, int recordCount) {
    try {
      if (partition < 0 || partition >= numPartitions) {
        throw new DovetailException(ErrorCode.INVALID_ARGUMENT,
            "partition " + partition + " outside 0.." + (numPartitions - 1));
      }
      if (committed) {
        throw new IllegalStateException("attempt " + attemptId + " is committed already");
      }
      checkFatal();
    } catch (RuntimeException e) {
      payload.release();
      throw e;
    }
    int length = payload.readableBytes();
    if (length <= maxBatch) {
      pushOne(partition, payload, recordCount, (byte) 0);
      return;
    }
    try {
      for (int off = 0; off < length; off += maxBatch) {
        int len = Math.min(maxBatch, length - off);
        byte flags = BatchHeader.FLAG_FRAGMENT;
        if (off == 0) {
          flags |= BatchHeader.FLAG_FIRST;
        }
        if (off + len == length) {
          flags |= BatchHeader.FLAG_LAST;
        }
        int recs = off == 0 ? recordCount : 0;
        pushOne(partition, payload.retainedSlice(payload.readerIndex() + off, len), recs, flags);
      }
    } finally {
      payload.release();
    }
  }

  private void pushOne(int partition, ByteBuf payload, int recordCount, byte flags) {
    int length = payload.readableBytes();
    try {
      acquire(length);
    } catch (RuntimeException e) {
      payload.release();
      throw e;
    }
    crc.reset();
    for (ByteBuffer b : payload.nioBuffers()) {
      crc.update(b);
    }
    int seq = nextSeq[partition]++;
    BatchHeader header = new BatchHeader(mapIndex, attemptId, seq, flags, recordCount, length,
        (int) crc.getValue());
    bytes[partition] += length;
    records[partition] += recordCount;
    batches[partition]++;
    Pending p =
        new Pending(partition, header, payload, Location.writable(layout.get(), partition));
    synchronized (this) {
      outstanding++;
    }
    Destination d = Destination.of(p.location);
    long cost = frameCost(p);
    Long before = openBytes.get(d);
    if (before != null && before + cost > frameLimit) {
      // Sent before this batch joins: together they would be over the server's frame limit.
      send(d, open.remove(d));
      openBytes.remove(d);
    }
    open.computeIfAbsent(d, k -> new ArrayList<>()).add(p);
    long gathered = openBytes.merge(d, cost, Long::sum);
    if (gathered >= frameSize) {
      send(d, open.remove(d));
      openBytes.remove(d);
    }
  }

  /** What a batch adds to a PUSH frame: its payload and its entry in the frame's header. */
  private static long frameCost(Pending p) {
    return (long) p.header.length() + PushBatch.SIZE;
  }

  /** {@code list} in PUSH frames gathered as pushes are, never over the frame limit. */
  private List<List<Pending>> frames(List<Pending> list) {
    List<List<Pending>> frames = new ArrayList<>();
    List<Pending> current = new ArrayList<>();
    long size = 0;
    for (Pending p : list) {
      long cost = frameCost(p);
      if (!current.isEmpty() && size + cost > frameLimit) {
        frames.add(current);
        current = new ArrayList<>();
        size = 0;
      }
      current.add(p);
      size += cost;
      if (size >= frameSize) {
        frames.add(current);
        current = new ArrayList<>();
        size = 0;
      }
    }
    if (!current.isEmpty()) {
      frames.add(current);
    }
    return frames;
  }

  private void acquire(int length) {
    int permits = Math.min(length, maxInFlight);
    if (inFlight.tryAcquire(permits)) {
      return;
    }
    // Gathered batches hold permits too: send them before waiting, or we could wait on ourselves.
    sendOpenFrames();
    long start = System.nanoTime();
    try {
      while (!inFlight.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
        checkFatal();
        checkClientOpen();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted while pushing", e);
    } finally {
      metrics.addBlockedNanos(System.nanoTime() - start);
    }
  }

  private void sendOpenFrames() {
    for (Map.Entry<Destination, List<Pending>> e : open.entrySet()) {
      send(e.getKey(), e.getValue());
    }
    open.clear();
    openBytes.clear();
  }

  /** Sends {@code list} as one PUSH to {@code d}; completions arrive asynchronously. */
  private void send(Destination d, List<Pending> list) {
    TransportClient tc;
    try {
      tc = client.transport().client(d.primary().address());
    } catch (DovetailException e) {
      failed(d, list, e.code(), e);
      return;
    }
    List<PushBatch> wire = new ArrayList<>(list.size());
    CompositeByteBuf body = Unpooled.compositeBuffer(Math.max(2, list.size()));
    long total = 0;
    for (Pending p : list) {
      wire.add(new PushBatch(p.partition, p.location.epoch(), p.header));
      body.addComponent(true, p.payload.retainedDuplicate());
      total += p.header.length();
    }
    PushRequest request = new PushRequest(appId, shuffleId, d.primary().incarnation(), (byte) 0,
        Location.replicaTargets(d.replicas()), wire, body);
    metrics.addFrame(total);
    tc.request(request).whenComplete((response, error) -> onResponse(d, list, response, error));
  }

  private void onResponse(Destination d, List<Pending> list, Message response, Throwable error) {
    if (error != null) {
      DovetailException de = error instanceof DovetailException e ? e
          : new DovetailException(DovetailException.codeOf(error), String.valueOf(error), error);
      failed(d, list, de.code(), de);
      return;
    }
    PushResponse r = (PushResponse) response;
    if (r.isOk()) {
      for (Pending p : list) {
        acked(p);
      }
      return;
    }
    if (r.failures().isEmpty()) {
      failed(d, list, r.code(), new DovetailException(r.code(), r.message()));
      return;
    }
    Map<ErrorCode, List<Pending>> byCode = new HashMap<>();
    boolean[] failedIndex = new boolean[list.size()];
    for (PushResponse.Failure f : r.failures()) {
      if (f.batchIndex() >= 0 && f.batchIndex() < list.size() && !failedIndex[f.batchIndex()]) {
        failedIndex[f.batchIndex()] = true;
        byCode.computeIfAbsent(f.code(), k -> new ArrayList<>()).add(list.get(f.batchIndex()));
      }
    }
    for (int i = 0; i < list.size(); i++) {
      if (!failedIndex[i]) {
        acked(list.get(i));
      }
    }
    byCode.forEach((code, ps) ->
        failed(d, ps, code, new DovetailException(code, r.message())));
  }

  private void acked(Pending p) {
    release(p);
  }

  /** Gives back a batch's memory and permits, and counts it as settled. */
  private void release(Pending p) {
    p.payload.release();
    inFlight.release(Math.min(p.header.length(), maxInFlight));
    synchronized (this) {
      outstanding--;
      notifyAll();
    }
  }

  /** Decides what to do with batches that were not accepted. Runs on any thread. */
  private void failed(Destination d, List<Pending> list, ErrorCode code, DovetailException cause) {
    List<Pending> again = new ArrayList<>(list.size());
    for (Pending p : list) {
      p.tries++;
      if (isClosed() || code.action() == ErrorCode.Action.FAIL || p.tries > maxRetries) {
        if (!isClosed()) {
          fail(new DovetailException(code, "push of map " + mapIndex + " attempt " + attemptId
              + " to partition " + p.partition + " failed after " + p.tries + " tries: "
              + cause.getMessage(), cause));
        }
        release(p);
      } else {
        again.add(p);
      }
    }
    if (again.isEmpty()) {
      return;
    }
    metrics.addRetries(again.size());
    // A push that timed out moves on: resending to a server that did not answer within the
    // request timeout (frozen, paused, or a half-open connection) would stall the task for
    // every retry, and every later task would meet the same server.
    boolean reroute = code.action() == ErrorCode.Action.REROUTE || code == ErrorCode.TIMEOUT;
    // Whoever takes the list out of `queued` owns it: the resend, or close() and a flush that
    // finds the client closed, which release what the closed executor will never run.
    queued.add(again);
    try {
      if (!reroute) {
        LOG.debug("Resending {} batches to {} after {}", again.size(), d.primary(), code);
        client.retryExecutor().schedule(() -> {
          if (queued.remove(again)) {
            resend(again, false, d, code);
          }
        }, retryWaitMs, TimeUnit.MILLISECONDS);
      } else {
        LOG.info("Rerouting {} batches of shuffle {}/{} away from {}: {}", again.size(), appId,
            shuffleId, d.primary().address(), cause.getMessage());
        // Not for STALE_INCARNATION: the restarted server answered on a sound connection that
        // other tasks' pushes and reads share.
        if (code == ErrorCode.CONNECTION_FAILED) {
          client.transport().closeClients(d.primary().address());
        }
        client.retryExecutor().execute(() -> {
          if (queued.remove(again)) {
            resend(again, true, d, code);
          }
        });
      }
    } catch (RejectedExecutionException e) {
      // The client is closing: nothing will resend them, and flush() must not wait for them.
      fail(new DovetailException(code, "push of map " + mapIndex + " attempt " + attemptId
          + " cannot be retried: the client is closed (" + cause.getMessage() + ")", cause));
      if (queued.remove(again)) {
        again.forEach(this::release);
      }
    }
  }

  /**
   * Fails this pusher if its client was closed while batches are unacknowledged: the client's
   * retry executor dropped the resends it held, so they will never run (a flush or a push
   * waiting for room would wait for ever).
   */
  private void checkClientOpen() {
    if (!client.isClosed()) {
      return;
    }
    int left;
    synchronized (this) {
      left = outstanding;
    }
    if (left > 0) {
      fail(new DovetailException(ErrorCode.CONNECTION_FAILED, "push of map " + mapIndex
          + " attempt " + attemptId + " cannot finish: the client was closed with " + left
          + " batches unacknowledged"));
      releaseQueued();
      checkFatal();
    }
  }

  /** Releases batches waiting for a resend that will not come (the pusher or client closed). */
  private void releaseQueued() {
    for (List<Pending> list : queued) {
      if (queued.remove(list)) {
        list.forEach(this::release);
      }
    }
  }

  /** Resends batches, after moving them to new epochs when {@code reroute}. Retry executor. */
  private void resend(List<Pending> list, boolean reroute, Destination failed, ErrorCode code) {
    // Batches not yet handed to send(): once sent, their response (or failure) releases them.
    ArrayDeque<Map.Entry<Destination, List<Pending>>> unsent = null;
    try {
      if (isClosed()) {
        list.forEach(this::release);
        return;
      }
      if (reroute) {
        ShuffleLayout fresh = client.reportFailure(appId, shuffleId,
            list.stream().map(p -> p.location).toList(), failedServer(failed, code), code);
        for (Pending p : list) {
          p.location = Location.writable(fresh, p.partition);
        }
        // Later batches go to the new locations too, not first to the failed ones.
        layout.accumulateAndGet(fresh, (old, neu) ->
            neu.getLayoutVersion() > old.getLayoutVersion() ? neu : old);
        metrics.addReroutes(list.size());
      }
      Map<Destination, List<Pending>> groups = new LinkedHashMap<>();
      for (Pending p : list) {
        groups.computeIfAbsent(Destination.of(p.location), k -> new ArrayList<>()).add(p);
      }
      // Batches of several frames may now share a destination: split again by frame size.
      List<Map.Entry<Destination, List<Pending>>> frames = new ArrayList<>();
      groups.forEach((d, ps) -> frames(ps).forEach(f -> frames.add(Map.entry(d, f))));
      unsent = new ArrayDeque<>(frames);
      while (!unsent.isEmpty()) {
        Map.Entry<Destination, List<Pending>> f = unsent.peek();
        send(f.getKey(), f.getValue());
        unsent.poll();
      }
    } catch (RuntimeException e) {
      fail(e instanceof DovetailException de ? de
          : new DovetailException(ErrorCode.INTERNAL, "resend failed: " + e, e));
      if (unsent == null) {
        list.forEach(this::release);
      } else {
        unsent.forEach(f -> f.getValue().forEach(this::release));
      }
    }
  }

  /** The server to blame: the primary, unless the error was about a replica. */
  private static Location.Server failedServer(Destination d, ErrorCode code) {
    return code == ErrorCode.REPLICATION_FAILED ? null : d.primary();
  }

  private synchronized void fail(DovetailException e) {
    if (fatal == null) {
      fatal = e;
      notifyAll();
    }
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private synchronized void checkFatal() {
    if (fatal != null) {
      throw new DovetailException(fatal.code(), fatal.getMessage(), fatal);
    }
  }

  /** Sends everything gathered and waits until every batch is acknowledged. */
  public void flush() {
    sendOpenFrames();
    long start = System.nanoTime();
    try {
      synchronized (this) {
        while (outstanding > 0 && fatal == null && !client.isClosed()) {
          wait(1000);
        }
      }
      checkClientOpen();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DovetailException(ErrorCode.INTERNAL, "interrupted while flushing", e);
    } finally {
      metrics.addBlockedNanos(System.nanoTime() - start);
    }
    checkFatal();
  }

  /**
   * Flushes, then commits this attempt with its per-partition counts. The result says whether
   * this attempt won; either way its sizes are the committed attempt's.
   */
  public CommitResult commit() {
    flush();
    CommitMapRequest.Builder req = CommitMapRequest.newBuilder()
        .setAppId(appId).setShuffleId(shuffleId).setMapIndex(mapIndex).setAttemptId(attemptId)
        .setStageId(stageId).setStageAttempt(stageAttempt);
    boolean any = false;
    for (long b : batches) {
      if (b != 0) {
        any = true;
        break;
      }
    }
    if (any) {
      for (int p = 0; p < numPartitions; p++) {
        req.addPartitionBytes(bytes[p]).addPartitionRecords(records[p])
            .addPartitionBatches(batches[p]);
      }
    }
    CommitMapResponse r = client.metadata().commitMap(req.build());
    committed = true;
    long[] winnerBytes = new long[numPartitions];
    for (int p = 0; p < r.getWinnerPartitionBytesCount() && p < numPartitions; p++) {
      winnerBytes[p] = r.getWinnerPartitionBytes(p);
    }
    if (r.getCommitted()) {
      System.arraycopy(bytes, 0, winnerBytes, 0, numPartitions);
    }
    return new CommitResult(r.getCommitted(), r.getWinnerAttemptId(), winnerBytes);
  }

  /** Abandons what is not acknowledged yet; nothing is committed. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (List<Pending> list : open.values()) {
      list.forEach(this::release);
    }
    open.clear();
    openBytes.clear();
    releaseQueued();
    // Batches still in flight are released by their completions.
  }
}
