import { afterAll } from 'vitest';
import { killLeftovers } from './helpers/sidecar.ts';

afterAll(killLeftovers);
