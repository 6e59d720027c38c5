/**
 * Where new partition copies go: {@link io.dovetail.metadata.placement.Placement} spreads
 * primaries and replicas over candidate storage servers weighted by free capacity and inversely
 * by load. It knows nothing of server states or shuffles; the caller decides who is a candidate.
 */
package io.dovetail.metadata.placement;
