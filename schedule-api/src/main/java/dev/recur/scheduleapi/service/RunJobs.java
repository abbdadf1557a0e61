package dev.recur.scheduleapi.service;

import java.util.List;

import dev.recur.scheduleapi.domain.JobSummary;
import dev.recur.scheduleapi.domain.RunSummary;

/** A run with its first jobs in item order; {@code run.jobCount()} says how many it has in all. */
public record RunJobs(RunSummary run, List<JobSummary> jobs) {}
