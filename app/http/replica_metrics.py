"""The read replicas in /metrics, read from their last check when Prometheus scrapes."""

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from app.db.replicas import ReplicaSet


class ReplicaCollector(Collector):
    def __init__(self, replicas: ReplicaSet) -> None:
        self.replicas = replicas

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        lag = GaugeMetricFamily(
            "defcoop_replica_lag_seconds",
            "How far the replica is behind the primary (absent while it does not answer)",
            labels=["replica"],
        )
        behind = GaugeMetricFamily(
            "defcoop_replica_behind_bytes",
            "WAL bytes the primary has written that the replica has not replayed",
            labels=["replica"],
        )
        rotation = GaugeMetricFamily(
            "defcoop_replica_in_rotation",
            "1 while the replica serves reads, 0 while it is down or lags too far",
            labels=["replica"],
        )
        reads = CounterMetricFamily(
            "defcoop_replica_reads",
            "Requests whose reads went to this replica (replica=primary: to the primary)",
            labels=["replica"],
        )
        for replica in self.replicas.replicas:
            state = replica.state
            rotation.add_metric([state.name], 1.0 if state.in_rotation else 0.0)
            if state.reachable and state.lag_seconds is not None:
                lag.add_metric([state.name], state.lag_seconds)
            if state.reachable and state.behind_bytes is not None:
                behind.add_metric([state.name], float(state.behind_bytes))
            reads.add_metric([state.name], float(replica.reads))
        reads.add_metric(["primary"], float(self.replicas.primary_reads))
        yield from (lag, behind, rotation, reads)
