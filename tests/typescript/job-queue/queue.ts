// A job queue drained by an interval started at module load, outside any
// request: every job runs in the interval's context, not its request's.
export type Job = () => void;

interface QueueState {
  jobs: Job[];
  done: number;
  expected: number;
}

const state: QueueState = { jobs: [], done: 0, expected: 3 };

export function enqueue(job: Job): void {
  state.jobs.push(job);
}

const drain: ReturnType<typeof setInterval> = setInterval((): void => {
  while (state.jobs.length > 0) {
    const job: Job = state.jobs.shift() as Job;
    job();
    state.done++;
  }
  if (state.done === state.expected) clearInterval(drain);
}, 1);
