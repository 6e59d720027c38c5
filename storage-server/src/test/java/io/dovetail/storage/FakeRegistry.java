package io.dovetail.storage;

import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.SealedPartition;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerExitResponse;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.ShuffleKey;
import io.dovetail.proto.StorageRegistryGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A StorageRegistry on real gRPC (127.0.0.1, ephemeral port) that records what storage servers
 * send and answers as a test tells it to. Thread-safe.
 */
final class FakeRegistry implements AutoCloseable {
  final List<RegisterServerRequest> registrations = new CopyOnWriteArrayList<>();
  final List<ServerHeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
  final List<ServerExitRequest> exits = new CopyOnWriteArrayList<>();
  /** Shuffles to answer as removed (when held). */
  final Set<ShuffleKey> removed = ConcurrentHashMap.newKeySet();
  /** Sealed files to discard at registration. */
  final List<SealedPartition> discard = new CopyOnWriteArrayList<>();
  final AtomicBoolean reregisterOnce = new AtomicBoolean();
  final AtomicBoolean draining = new AtomicBoolean();
  /** Answers a drained goodbye as if the drain had been cancelled meanwhile. */
  final AtomicBoolean cancelDrainOnExit = new AtomicBoolean();
  final AtomicBoolean down = new AtomicBoolean();
  /** Makes "is it down?" and "record the heartbeat" one step, for {@link #goDown()}. */
  private final Object heartbeatLock = new Object();
  private final AtomicLong incarnations;
  private final long heartbeatIntervalMs;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Server server;

  FakeRegistry(long firstIncarnation, long heartbeatIntervalMs) throws IOException {
    this(firstIncarnation, heartbeatIntervalMs, 0);
  }

  /** On {@code port} (0: any free one). */
  FakeRegistry(long firstIncarnation, long heartbeatIntervalMs, int port) throws IOException {
    this.incarnations = new AtomicLong(firstIncarnation - 1);
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.server = Rpc.startServer("127.0.0.1", port, new DovetailConf(), executor, new Service());
  }

  int port() {
    return server.getPort();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  long lastIncarnation() {
    return incarnations.get();
  }

  ServerHeartbeatRequest lastHeartbeat() {
    return heartbeats.isEmpty() ? null : heartbeats.get(heartbeats.size() - 1);
  }

  int heartbeatCount() {
    return heartbeats.size();
  }

  /** Answers UNAVAILABLE from now on; returns the heartbeats recorded up to this point. */
  int goDown() {
    synchronized (heartbeatLock) {
      down.set(true);
      return heartbeats.size();
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    executor.shutdownNow();
    try {
      // The listening socket closes asynchronously: a test that binds the port next waits.
      server.awaitTermination(10, TimeUnit.SECONDS);
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Service extends StorageRegistryGrpc.StorageRegistryImplBase {
    @Override
    public void registerServer(RegisterServerRequest req,
        StreamObserver<RegisterServerResponse> out) {
      if (down.get()) {
        out.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
        return;
      }
      registrations.add(req);
      List<SealedPartition> toDiscard = new ArrayList<>();
      for (SealedPartition s : req.getSealedList()) {
        for (SealedPartition d : discard) {
          if (d.getAppId().equals(s.getAppId()) && d.getShuffleId() == s.getShuffleId()
              && d.getPartition() == s.getPartition() && d.getEpoch() == s.getEpoch()) {
            toDiscard.add(s);
          }
        }
      }
      out.onNext(RegisterServerResponse.newBuilder()
          .setIncarnation(incarnations.incrementAndGet())
          .setHeartbeatIntervalMs(heartbeatIntervalMs)
          .addAllDiscard(toDiscard)
          .build());
      out.onCompleted();
    }

    @Override
    public void serverHeartbeat(ServerHeartbeatRequest req,
        StreamObserver<ServerHeartbeatResponse> out) {
      synchronized (heartbeatLock) {
        if (down.get()) {
          out.onError(Status.UNAVAILABLE.withDescription("down").asRuntimeException());
          return;
        }
        heartbeats.add(req);
      }
      ServerHeartbeatResponse.Builder b = ServerHeartbeatResponse.newBuilder()
          .setState(draining.get() ? ServerState.DRAINING : ServerState.ACTIVE)
          .setReregister(reregisterOnce.compareAndSet(true, false));
      for (ShuffleKey k : req.getHeldList()) {
        if (removed.contains(k)) {
          b.addRemoved(k);
        }
      }
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void serverExit(ServerExitRequest req, StreamObserver<ServerExitResponse> out) {
      exits.add(req);
      boolean cancelled = req.getDrained() && cancelDrainOnExit.get();
      if (cancelled) {
        draining.set(false);
      }
      out.onNext(ServerExitResponse.newBuilder().setKeepServing(cancelled).build());
      out.onCompleted();
    }
  }
}
