package dev.recur.ticker.topology;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The ticker topology as a process of its own (RocksDB, exactly-once v2), for tests that kill it. Its clock runs
 * {@code speed} times faster than real time from a shared origin, so a restarted process goes on with the same time.
 * Arguments: bootstrap servers, application id, state dir, schedules topic, due-runs topic, fake origin (epoch ms),
 * real origin (epoch ms), speed.
 */
public final class TickerProcess {

    private TickerProcess() {}

    public static void main(String[] args) throws InterruptedException {
        long fakeOrigin = Long.parseLong(args[5]);
        long realOrigin = Long.parseLong(args[6]);
        long speed = Long.parseLong(args[7]);
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(fakeOrigin + (System.currentTimeMillis() - realOrigin) * speed);
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[2]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 30_000);
        TickerSettings settings =
                TickerDriver.DEFAULTS.withTopics(args[3], args[4]).withTick(java.time.Duration.ofMillis(100), 500);
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, clock, new TickerMetrics(new SimpleMeterRegistry())), props);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
    }
}
