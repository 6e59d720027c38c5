package io.dovetail.storage.replication;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.protocol.Message;
import io.dovetail.common.protocol.PushBatch;
import io.dovetail.common.protocol.PushRequest;
import io.dovetail.common.protocol.PushResponse;
import io.dovetail.common.protocol.ReplicaTarget;
import io.dovetail.common.transport.TransportClient;
import io.dovetail.common.transport.TransportClientFactory;
import io.dovetail.common.util.HostPort;
import io.dovetail.storage.StorageConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards accepted batches from a primary to its replicas. Thread-safe. Sends go out from the
 * calling thread (an event loop) when a live connection to the replica exists; opening one (a
 * blocking connect and handshake) runs on the {@code connector} executor.
 *
 * <p>Buffer ownership: {@link #forward} does not take the request's reference; each forwarded
 * copy holds its own reference to the payload bytes (a retained duplicate or slices), which the
 * transport releases once written.
 */
public final class Replicator implements AutoCloseable {
  private final DovetailConf conf;
  private final Executor connector;
  private final ConcurrentHashMap<HostPort, TransportClient> clients = new ConcurrentHashMap<>();
  /** Connections being opened, by peer: one connector thread per peer at a time. */
  private final ConcurrentHashMap<HostPort, CompletableFuture<TransportClient>> connecting =
      new ConcurrentHashMap<>();
  private volatile TransportClientFactory factory;
  private volatile boolean closed;

  /** The outcome of one forward: batches (by request index) some replica did not take. */
  public record Result(List<PushResponse.Failure> failures, String message) {
    public boolean ok() {
      return failures.isEmpty();
    }
  }

  public Replicator(DovetailConf conf, Executor connector) {
    this.conf = conf;
    this.connector = connector;
  }

  /**
   * Sends the batches at {@code accepted} (indexes into {@code req.batches()}; null for all) to
   * every replica of {@code req}, each with its expected incarnation and the forwarded flag.
   * Completes (on any thread) once every replica answered or failed; a batch any replica did not
   * take is reported as REPLICATION_FAILED.
   */
  public CompletableFuture<Result> forward(PushRequest req, int[] accepted) {
    List<PushBatch> batches;
    ByteBuf payload;
    if (accepted == null) {
      batches = req.batches();
      payload = req.payloads().retainedDuplicate();
    } else {
      batches = new ArrayList<>(accepted.length);
      CompositeByteBuf c = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Integer.MAX_VALUE);
      ByteBuf all = req.payloads();
      int[] starts = payloadStarts(req);
      for (int i : accepted) {
        PushBatch b = req.batches().get(i);
        batches.add(b);
        c.addComponent(true, all.retainedSlice(starts[i], b.header().length()));
      }
      payload = c;
    }
    List<ReplicaTarget> targets = req.replicas();
    CompletableFuture<Result> done = new CompletableFuture<>();
    if (targets.isEmpty()) {
      payload.release();
      return CompletableFuture.completedFuture(new Result(List.of(), ""));
    }
    BitSet failed = new BitSet(batches.size());
    StringBuilder message = new StringBuilder();
    AtomicInteger remaining = new AtomicInteger(targets.size());
    try {
      for (ReplicaTarget t : targets) {
        PushRequest copy = new PushRequest(req.appId(), req.shuffleId(), t.incarnation(),
            PushRequest.FLAG_FORWARDED, List.of(), batches, payload.retainedDuplicate());
        send(t, copy).whenComplete((resp, err) -> {
          synchronized (failed) {
            if (err != null) {
              failed.set(0, batches.size());
              note(message, t, DovetailException.codeOf(err), err.getMessage());
            } else if (!inRange(resp, batches.size())) {
              // A broken or hostile peer: no batch of the frame can count as replicated there.
              failed.set(0, batches.size());
              note(message, t, ErrorCode.UNEXPECTED_MESSAGE,
                  "answered with a batch index outside the " + batches.size() + " it was sent");
            } else {
              for (PushResponse.Failure f : resp.failures()) {
                failed.set(f.batchIndex());
              }
              if (!resp.failures().isEmpty()) {
                note(message, t, resp.code(), resp.message());
              }
            }
          }
          if (remaining.decrementAndGet() == 0) {
            done.complete(result(failed, accepted, message));
          }
        });
      }
    } finally {
      payload.release();
    }
    return done;
  }

  private static boolean inRange(PushResponse resp, int batches) {
    for (PushResponse.Failure f : resp.failures()) {
      if (f.batchIndex() < 0 || f.batchIndex() >= batches) {
        return false;
      }
    }
    return true;
  }

  private static int[] payloadStarts(PushRequest req) {
    int[] starts = new int[req.batches().size()];
    int pos = req.payloads().readerIndex();
    for (int i = 0; i < starts.length; i++) {
      starts[i] = pos;
      pos += req.batches().get(i).header().length();
    }
    return starts;
  }

  private static void note(StringBuilder sb, ReplicaTarget t, ErrorCode code, String why) {
    if (sb.length() > 0) {
      sb.append("; ");
    }
    sb.append("replica ").append(t.host()).append(':').append(t.port()).append(" (incarnation ")
        .append(t.incarnation()).append("): ").append(code).append(": ").append(why);
  }

  private static Result result(BitSet failed, int[] accepted, StringBuilder message) {
    List<PushResponse.Failure> out = new ArrayList<>(failed.cardinality());
    for (int i = failed.nextSetBit(0); i >= 0; i = failed.nextSetBit(i + 1)) {
      int original = accepted == null ? i : accepted[i];
      out.add(new PushResponse.Failure(original, ErrorCode.REPLICATION_FAILED));
    }
    return new Result(out, message.toString());
  }

  /** Sends {@code copy} (taking over its body) to {@code target}; never throws. */
  private CompletableFuture<PushResponse> send(ReplicaTarget target, PushRequest copy) {
    HostPort peer;
    try {
      peer = new HostPort(target.host(), target.port());
    } catch (IllegalArgumentException e) {
      copy.release();
      return CompletableFuture.failedFuture(new DovetailException(ErrorCode.MALFORMED_FRAME,
          "invalid replica address: " + e.getMessage()));
    }
    TransportClient c = clients.get(peer);
    if (c != null && c.isActive()) {
      return forgetOnTimeout(peer, c, asPush(c.request(copy)));
    }
    CompletableFuture<PushResponse> f = new CompletableFuture<>();
    connection(peer).whenComplete((nc, err) -> {
      if (err != null) {
        copy.release();
        f.completeExceptionally(err);
        return;
      }
      forgetOnTimeout(peer, nc, asPush(nc.request(copy))).whenComplete((r, e) -> {
        if (e != null) {
          f.completeExceptionally(e);
        } else {
          f.complete(r);
        }
      });
    });
    return f;
  }

  /**
   * A new connection to {@code peer}, opened on the connector. Forwards that find one being
   * opened wait for it rather than take another connector thread: a replica host that is gone
   * (each connect waits out the connect timeout) then holds one thread, not all of them, and
   * the other replicas' forwards and the index loads that share the executor go on.
   */
  private CompletableFuture<TransportClient> connection(HostPort peer) {
    CompletableFuture<TransportClient> mine = new CompletableFuture<>();
    CompletableFuture<TransportClient> pending = connecting.putIfAbsent(peer, mine);
    if (pending != null) {
      return pending;
    }
    try {
      connector.execute(() -> {
        try {
          TransportClient nc = factory().client(peer);
          clients.put(peer, nc);
          mine.complete(nc);
        } catch (Throwable e) {
          // Whatever it was, every forward waiting for this connect must hear of it.
          mine.completeExceptionally(e);
          if (e instanceof Error err) {
            throw err;
          }
        } finally {
          connecting.remove(peer, mine);
        }
      });
    } catch (RejectedExecutionException e) {
      connecting.remove(peer, mine);
      mine.completeExceptionally(new DovetailException(ErrorCode.SERVER_SHUTTING_DOWN,
          "server is shutting down"));
    }
    return mine;
  }

  /**
   * A replica that let a forward time out is frozen or gone, or its connection half-open: the
   * next forward gets a new connection (which fails fast if nothing listens) instead of waiting
   * out another timeout on this one.
   */
  private CompletableFuture<PushResponse> forgetOnTimeout(HostPort peer, TransportClient c,
      CompletableFuture<PushResponse> f) {
    return f.whenComplete((r, e) -> {
      if (e != null && DovetailException.codeOf(e) == ErrorCode.TIMEOUT
          && clients.remove(peer, c)) {
        c.close();
      }
    });
  }

  private static CompletableFuture<PushResponse> asPush(CompletableFuture<Message> f) {
    return f.thenApply(m -> {
      if (m instanceof PushResponse p) {
        return p;
      }
      m.release();
      throw new DovetailException(ErrorCode.UNEXPECTED_MESSAGE, "replica answered " + m);
    });
  }

  private TransportClientFactory factory() {
    TransportClientFactory f = factory;
    if (f == null) {
      synchronized (this) {
        if (closed) {
          throw new DovetailException(ErrorCode.SERVER_SHUTTING_DOWN, "server is shutting down");
        }
        f = factory;
        if (f == null) {
          f = new TransportClientFactory("dovetail-storage-replicator", conf.copy().set(
              CommonConfig.REQUEST_TIMEOUT.key(),
              conf.get(StorageConfig.REPLICATION_TIMEOUT).toMillis() + "ms"));
          factory = f;
        }
      }
    }
    return f;
  }

  @Override
  public void close() {
    TransportClientFactory f;
    synchronized (this) {
      closed = true;
      f = factory;
      factory = null;
    }
    if (f != null) {
      f.close();
    }
    clients.clear();
  }
}
