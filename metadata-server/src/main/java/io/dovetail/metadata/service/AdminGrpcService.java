package io.dovetail.metadata.service;

import io.dovetail.metadata.state.MetadataState;
import io.dovetail.proto.AdminServiceGrpc;
import io.dovetail.proto.DrainServerRequest;
import io.dovetail.proto.DrainServerResponse;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.GetClusterStatusResponse;
import io.dovetail.proto.UndrainServerRequest;
import io.dovetail.proto.UndrainServerResponse;
import io.grpc.stub.StreamObserver;

/** {@code AdminService} over {@link MetadataState}. Thread-safe (stateless adapter). */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
  private final MetadataState state;

  public AdminGrpcService(MetadataState state) {
    this.state = state;
  }

  @Override
  public void getClusterStatus(GetClusterStatusRequest req,
      StreamObserver<GetClusterStatusResponse> out) {
    Calls.unary("GetClusterStatus", out, state::clusterStatus);
  }

  @Override
  public void drainServer(DrainServerRequest req, StreamObserver<DrainServerResponse> out) {
    Calls.unary("DrainServer", out, () -> state.drainServer(req));
  }

  @Override
  public void undrainServer(UndrainServerRequest req, StreamObserver<UndrainServerResponse> out) {
    Calls.unary("UndrainServer", out, () -> state.undrainServer(req));
  }
}
