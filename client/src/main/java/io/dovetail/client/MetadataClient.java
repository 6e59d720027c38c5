package io.dovetail.client;

import io.dovetail.common.DovetailException;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.rpc.GrpcErrors;
import io.dovetail.common.rpc.Rpc;
import io.dovetail.common.util.HostPort;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.CommitMapRequest;
import io.dovetail.proto.CommitMapResponse;
import io.dovetail.proto.GetPartitionSizesRequest;
import io.dovetail.proto.GetPartitionSizesResponse;
import io.dovetail.proto.GetReadPlanRequest;
import io.dovetail.proto.GetReadPlanResponse;
import io.dovetail.proto.GetShuffleLayoutRequest;
import io.dovetail.proto.GetShuffleLayoutResponse;
import io.dovetail.proto.MetadataServiceGrpc;
import io.dovetail.proto.RegisterApplicationRequest;
import io.dovetail.proto.RegisterApplicationResponse;
import io.dovetail.proto.RegisterShuffleRequest;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ShuffleLayout;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.proto.UnregisterShuffleRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Blocking calls to the metadata server with deadlines, retried while it is unreachable (it may
 * be restarting) for up to {@code dovetail.rpc.retryWait}. Failures are {@link DovetailException}s.
 * Thread-safe.
 */
public final class MetadataClient implements AutoCloseable {
  private final DovetailConf conf;
  private final HostPort address;
  private final ManagedChannel channel;
  private final MetadataServiceGrpc.MetadataServiceBlockingStub stub;
  private final AdminServiceGrpc.AdminServiceBlockingStub admin;
  private final long timeoutMs;

  public MetadataClient(HostPort address, DovetailConf conf) {
    this.conf = conf;
    this.address = address;
    this.channel = Rpc.channel(address, conf);
    this.stub = MetadataServiceGrpc.newBlockingStub(channel);
    this.admin = AdminServiceGrpc.newBlockingStub(channel);
    this.timeoutMs = conf.get(CommonConfig.RPC_TIMEOUT).toMillis();
  }

  public HostPort address() {
    return address;
  }

  /**
   * Starts connecting to the metadata server if the channel is idle, without a call; returns at
   * once. The connection is then ready, or being retried by the channel, when the first call
   * comes.
   */
  public void connect() {
    channel.getState(true);
  }

  /** The channel to the metadata server, for tests. */
  ManagedChannel channel() {
    return channel;
  }

  /** True if the channel's connection is established. */
  public boolean connected() {
    return channel.getState(false) == io.grpc.ConnectivityState.READY;
  }

  private MetadataServiceGrpc.MetadataServiceBlockingStub stub() {
    return stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** The admin stub with a deadline, for status and drain calls. */
  public AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return admin.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private <T> T call(String what, Supplier<T> call) {
    try {
      return Rpc.withRetries(conf, what, channel, call);
    } catch (StatusRuntimeException e) {
      throw GrpcErrors.fromStatus(e);
    }
  }

  public RegisterApplicationResponse registerApplication(String appId, long ttlMs) {
    return call("RegisterApplication", () -> stub().registerApplication(
        RegisterApplicationRequest.newBuilder().setAppId(appId).setTtlMs(ttlMs).build()));
  }

  public void heartbeat(String appId) {
    call("ApplicationHeartbeat", () -> stub().applicationHeartbeat(
        ApplicationHeartbeatRequest.newBuilder().setAppId(appId).build()));
  }

  public void unregisterApplication(String appId) {
    call("UnregisterApplication", () -> stub().unregisterApplication(
        UnregisterApplicationRequest.newBuilder().setAppId(appId).build()));
  }

  public ShuffleLayout registerShuffle(String appId, int shuffleId, int numMaps,
      int numPartitions, int replication) {
    return call("RegisterShuffle", () -> stub().registerShuffle(
        RegisterShuffleRequest.newBuilder().setAppId(appId).setShuffleId(shuffleId)
            .setNumMaps(numMaps).setNumPartitions(numPartitions).setReplication(replication)
            .build())).getLayout();
  }

  public GetShuffleLayoutResponse getLayout(String appId, int shuffleId, long knownVersion) {
    return call("GetShuffleLayout", () -> stub().getShuffleLayout(
        GetShuffleLayoutRequest.newBuilder().setAppId(appId).setShuffleId(shuffleId)
            .setKnownLayoutVersion(knownVersion).build()));
  }

  public void unregisterShuffle(String appId, int shuffleId) {
    call("UnregisterShuffle", () -> stub().unregisterShuffle(
        UnregisterShuffleRequest.newBuilder().setAppId(appId).setShuffleId(shuffleId).build()));
  }

  public ShuffleLayout reportLocationFailure(ReportLocationFailureRequest request) {
    return call("ReportLocationFailure", () -> stub().reportLocationFailure(request)).getLayout();
  }

  public CommitMapResponse commitMap(CommitMapRequest request) {
    return call("CommitMap", () -> stub().commitMap(request));
  }

  public GetReadPlanResponse readPlan(GetReadPlanRequest request) {
    return call("GetReadPlan", () -> stub().getReadPlan(request));
  }

  public GetPartitionSizesResponse partitionSizes(String appId, int shuffleId) {
    return call("GetPartitionSizes", () -> stub().getPartitionSizes(
        GetPartitionSizesRequest.newBuilder().setAppId(appId).setShuffleId(shuffleId).build()));
  }

  @Override
  public void close() {
    Rpc.shutdown(channel);
  }
}
