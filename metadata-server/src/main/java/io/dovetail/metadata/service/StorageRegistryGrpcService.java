package io.dovetail.metadata.service;

import io.dovetail.metadata.state.MetadataState;
import io.dovetail.proto.RegisterServerRequest;
import io.dovetail.proto.RegisterServerResponse;
import io.dovetail.proto.ServerExitRequest;
import io.dovetail.proto.ServerExitResponse;
import io.dovetail.proto.ServerHeartbeatRequest;
import io.dovetail.proto.ServerHeartbeatResponse;
import io.dovetail.proto.StorageRegistryGrpc;
import io.grpc.stub.StreamObserver;

/** {@code StorageRegistry} over {@link MetadataState}. Thread-safe (stateless adapter). */
public final class StorageRegistryGrpcService extends StorageRegistryGrpc.StorageRegistryImplBase {
  private final MetadataState state;

  public StorageRegistryGrpcService(MetadataState state) {
    this.state = state;
  }

  @Override
  public void registerServer(RegisterServerRequest req,
      StreamObserver<RegisterServerResponse> out) {
    Calls.unary("RegisterServer", out, () -> state.registerServer(req));
  }

  @Override
  public void serverHeartbeat(ServerHeartbeatRequest req,
      StreamObserver<ServerHeartbeatResponse> out) {
    Calls.unary("ServerHeartbeat", out, () -> state.serverHeartbeat(req));
  }

  @Override
  public void serverExit(ServerExitRequest req, StreamObserver<ServerExitResponse> out) {
    Calls.unary("ServerExit", out, () -> state.serverExit(req));
  }
}
