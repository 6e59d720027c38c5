package io.dovetail.storage.registry;

import io.dovetail.common.DovetailException;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.GrpcErrors;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.common.util.Threads;
import io.dovetail.proto.LostPartition;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerExitResponse;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.ServerState;
import io.dovetail.proto.StorageRegistryGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this storage server with the metadata server and keeps it informed. Thread-safe:
 * {@link #register} runs on the starting thread, everything after {@link #start} on one named
 * thread ({@code dovetail-storage-registry}).
 *
 * <p>Heartbeats go out every interval the metadata server asked for. While it is unreachable the
 * server keeps serving data and heartbeats keep being retried (lost partitions are kept until
 * reported). A {@code reregister} answer abandons the old incarnation's unsealed files and registers
 * again. In DRAINING the server keeps serving; once it holds no shuffle it calls ServerExit and
 * asks the host to exit.
 */
public final class RegistryClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
  private static final long DEFAULT_INTERVAL_MS = 3000;

  private final DovetailConf conf;
  private final HostPort metadata;
  private final RegistryHost host;
  private final ManagedChannel channel;
  private final StorageRegistryGrpc.StorageRegistryBlockingStub stub;
  private final long rpcTimeoutMs;
  private final ScheduledExecutorService thread;
  private final String version;
  private volatile long incarnation = -1;
  private volatile long intervalMs = DEFAULT_INTERVAL_MS;
  private volatile boolean closed;
  private boolean mustRegister;
  private boolean unreachable;
  private final AtomicLong failedBeats = new AtomicLong();
  private boolean drainingLogged;
  private boolean exited;

  public RegistryClient(DovetailConf conf, HostPort metadata, RegistryHost host) {
    this.conf = conf;
    this.metadata = metadata;
    this.host = host;
    this.channel = Rpc.channel(metadata, conf);
    this.stub = StorageRegistryGrpc.newBlockingStub(channel);
    this.rpcTimeoutMs = conf.get(CommonConfig.RPC_TIMEOUT).toMillis();
    this.thread = Executors.newSingleThreadScheduledExecutor(
        Threads.named("dovetail-storage-registry"));
    String v = RegistryClient.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  public long incarnation() {
    return incarnation;
  }

  /**
   * Registers (retrying while the metadata server is unreachable, up to
   * {@code dovetail.rpc.retryWait}), deletes what the answer discards, and hands the new
   * incarnation to the host.
   *
   * @throws DovetailException when registration fails
   */
  public long register() {
    RegisterServerRequest req = RegisterServerRequest.newBuilder()
        .setHost(host.advertisedHost())
        .setDataPort(host.dataPort())
        .addAllDisks(host.disks())
        .setMemoryLimitBytes(host.memoryLimitBytes())
        .addAllSealed(host.sealedFiles())
        .setVersion(version)
        .build();
    RegisterServerResponse resp = Rpc.withRetries(conf, "RegisterServer with " + metadata,
        channel, () -> stub.withDeadlineAfter(rpcTimeoutMs, TimeUnit.MILLISECONDS)
            .registerServer(req));
    if (resp.getDiscardCount() > 0) {
      LOG.info("Metadata server discards {} of the {} sealed files reported",
          resp.getDiscardCount(), req.getSealedCount());
      host.discard(resp.getDiscardList());
    }
    long interval = resp.getHeartbeatIntervalMs();
    intervalMs = interval > 0 ? interval : DEFAULT_INTERVAL_MS;
    incarnation = resp.getIncarnation();
    host.incarnation(incarnation);
    LOG.info("Registered {}:{} with {} as incarnation {} ({} sealed files reported)",
        req.getHost(), req.getDataPort(), metadata, incarnation, req.getSealedCount());
    return incarnation;
  }

  /** Heartbeats (and registrations they turned into) that the metadata server did not answer. */
  public long failedBeats() {
    return failedBeats.get();
  }

  /** Starts heartbeats. */
  public void start() {
    schedule();
  }

  private void schedule() {
    if (!closed) {
      try {
        thread.schedule(this::tick, intervalMs, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closing.
      }
    }
  }

  private void tick() {
    try {
      if (mustRegister) {
        register();
        mustRegister = false;
      } else {
        heartbeat();
      }
    } catch (DovetailException | StatusRuntimeException e) {
      if (closed) {
        return; // close() interrupted the call
      }
      failedBeats.incrementAndGet();
      DovetailException de = e instanceof StatusRuntimeException sre
          ? GrpcErrors.fromStatus(sre) : (DovetailException) e;
      // The next heartbeat connects at once, not when gRPC's reconnect backoff (up to two
      // minutes) runs out: a restarted metadata server hears from this server within a beat.
      Rpc.resetBackoffIfUnreachable(channel);
      if (!unreachable) {
        LOG.warn("Metadata server {} did not answer ({}); serving on and retrying", metadata,
            firstLine(de.getMessage()));
        unreachable = true;
      } else {
        LOG.debug("Metadata server {} still unreachable: {}", metadata, de.getMessage());
      }
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.error("Heartbeat failed", e);
      }
    } finally {
      if (!exited) {
        schedule();
      }
    }
  }

  private void heartbeat() {
    List<LostPartition> lost = host.drainLost();
    ServerHeartbeatRequest req = ServerHeartbeatRequest.newBuilder()
        .setHost(host.advertisedHost())
        .setDataPort(host.dataPort())
        .setIncarnation(incarnation)
        .addAllDisks(host.disks())
        .setMemoryUsedBytes(host.memoryUsedBytes())
        .setMemoryLimitBytes(host.memoryLimitBytes())
        .setRecentPushBytes(host.takeRecentPushBytes())
        .setOpenStreams(host.openStreams())
        .addAllHeld(host.heldShuffles())
        .addAllLost(lost)
        .build();
    ServerHeartbeatResponse resp;
    try {
      resp = stub.withDeadlineAfter(rpcTimeoutMs, TimeUnit.MILLISECONDS).serverHeartbeat(req);
    } catch (StatusRuntimeException e) {
      host.requeueLost(lost);
      throw e;
    }
    if (unreachable) {
      LOG.info("Metadata server {} answers again", metadata);
      unreachable = false;
    }
    if (!lost.isEmpty()) {
      LOG.warn("Reported {} lost partition files", lost.size());
    }
    if (resp.getReregister()) {
      LOG.warn("Metadata server {} does not know incarnation {}; registering again", metadata,
          incarnation);
      host.forgetIncarnation();
      incarnation = -1;
      mustRegister = true;
      register();
      mustRegister = false;
      return;
    }
    if (resp.getRemovedCount() > 0) {
      host.removeShuffles(resp.getRemovedList());
    }
    if (resp.getState() == ServerState.DRAINING) {
      if (!drainingLogged) {
        LOG.info("Draining: serving what this server holds, exiting once it holds nothing");
        drainingLogged = true;
      }
      if (host.heldShuffles().isEmpty()) {
        exit();
      }
    } else if (drainingLogged && resp.getState() == ServerState.ACTIVE) {
      LOG.info("Drain cancelled: ACTIVE again, taking new partitions");
      drainingLogged = false;
    }
  }

  private void exit() {
    ServerExitRequest req = ServerExitRequest.newBuilder().setHost(host.advertisedHost())
        .setDataPort(host.dataPort()).setIncarnation(incarnation).setDrained(true).build();
    ServerExitResponse resp = Rpc.withRetries(conf, "ServerExit", channel, () ->
        stub.withDeadlineAfter(rpcTimeoutMs, TimeUnit.MILLISECONDS).serverExit(req));
    if (resp.getKeepServing()) {
      LOG.info("Drain cancelled before this server left: ACTIVE again, taking new partitions");
      drainingLogged = false;
      return;
    }
    LOG.info("Drained and said goodbye to {}; exiting", metadata);
    exited = true;
    closed = true;
    host.exitDrained();
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    closed = true;
    thread.shutdownNow();
    Rpc.shutdown(channel);
  }
}
