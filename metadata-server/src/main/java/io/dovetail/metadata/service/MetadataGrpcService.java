package io.dovetail.metadata.service;

import io.dovetail.metadata.state.MetadataState;
import io.dovetail.proto.ApplicationHeartbeatRequest;
import io.dovetail.proto.ApplicationHeartbeatResponse;
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
import io.dovetail.proto.RegisterShuffleResponse;
import io.dovetail.proto.ReportLocationFailureRequest;
import io.dovetail.proto.ReportLocationFailureResponse;
import io.dovetail.proto.UnregisterApplicationRequest;
import io.dovetail.proto.UnregisterApplicationResponse;
import io.dovetail.proto.UnregisterShuffleRequest;
import io.dovetail.proto.UnregisterShuffleResponse;
import io.grpc.stub.StreamObserver;

/** {@code MetadataService} over {@link MetadataState}. Thread-safe (stateless adapter). */
public final class MetadataGrpcService extends MetadataServiceGrpc.MetadataServiceImplBase {
  private final MetadataState state;

  public MetadataGrpcService(MetadataState state) {
    this.state = state;
  }

  @Override
  public void registerApplication(RegisterApplicationRequest req,
      StreamObserver<RegisterApplicationResponse> out) {
    Calls.unary("RegisterApplication", out, () -> state.registerApplication(req));
  }

  @Override
  public void applicationHeartbeat(ApplicationHeartbeatRequest req,
      StreamObserver<ApplicationHeartbeatResponse> out) {
    Calls.unary("ApplicationHeartbeat", out, () -> state.applicationHeartbeat(req));
  }

  @Override
  public void unregisterApplication(UnregisterApplicationRequest req,
      StreamObserver<UnregisterApplicationResponse> out) {
    Calls.unary("UnregisterApplication", out, () -> state.unregisterApplication(req));
  }

  @Override
  public void registerShuffle(RegisterShuffleRequest req,
      StreamObserver<RegisterShuffleResponse> out) {
    Calls.unary("RegisterShuffle", out, () -> state.registerShuffle(req));
  }

  @Override
  public void getShuffleLayout(GetShuffleLayoutRequest req,
      StreamObserver<GetShuffleLayoutResponse> out) {
    Calls.unary("GetShuffleLayout", out, () -> state.getShuffleLayout(req));
  }

  @Override
  public void unregisterShuffle(UnregisterShuffleRequest req,
      StreamObserver<UnregisterShuffleResponse> out) {
    Calls.unary("UnregisterShuffle", out, () -> state.unregisterShuffle(req));
  }

  @Override
  public void reportLocationFailure(ReportLocationFailureRequest req,
      StreamObserver<ReportLocationFailureResponse> out) {
    Calls.unary("ReportLocationFailure", out, () -> state.reportLocationFailure(req));
  }

  @Override
  public void commitMap(CommitMapRequest req, StreamObserver<CommitMapResponse> out) {
    Calls.unary("CommitMap", out, () -> state.commitMap(req));
  }

  @Override
  public void getReadPlan(GetReadPlanRequest req, StreamObserver<GetReadPlanResponse> out) {
    Calls.unary("GetReadPlan", out, () -> state.getReadPlan(req));
  }

  @Override
  public void getPartitionSizes(GetPartitionSizesRequest req,
      StreamObserver<GetPartitionSizesResponse> out) {
    Calls.unary("GetPartitionSizes", out, () -> state.getPartitionSizes(req));
  }
}
