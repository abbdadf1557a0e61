package dev.recur.scheduleapi.repository;

import jakarta.enterprise.context.ApplicationScoped;

import dev.recur.scheduleapi.domain.ScheduleStatsView;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

@ApplicationScoped
public class ScheduleStatsRepository implements PanacheRepositoryBase<ScheduleStatsView, Long> {
}
