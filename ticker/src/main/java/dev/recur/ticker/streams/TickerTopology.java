package dev.recur.ticker.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;

import dev.recur.common.event.Topics;

/** The ticker's Kafka Streams topology: the schedules of {@code recur.schedules} kept in a state store. */
@ApplicationScoped
public class TickerTopology {

    public static final String SCHEDULES_STORE = "schedules";

    @Produces
    Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(Topics.SCHEDULES, Consumed.with(Serdes.String(), Serdes.ByteArray()),
                Materialized.as(SCHEDULES_STORE));
        return builder.build();
    }
}
