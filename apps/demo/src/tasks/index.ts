/** The three tasks by name. */
import type { TaskName } from '../engine/protocol.js';
import { classifyTask } from './classify.js';
import { forecastTask } from './forecast.js';
import { generateTask } from './generate.js';
import type { Task, TaskModel } from './task.js';

/** Any task, with its batch type erased (the engine only passes batches back to the same task). */
export type AnyTask = Task<unknown, TaskModel<unknown>>;

/** The task `name` with `seed`'s split of its data. */
export function createTask(name: TaskName, seed: number): AnyTask {
  const task =
    name === 'classify' ? classifyTask(seed) : name === 'generate' ? generateTask(seed) : forecastTask(seed);
  return task as unknown as AnyTask;
}
