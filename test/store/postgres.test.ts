import { storeContract } from './contract.js';
import { postgresHarness } from './postgres-harness.js';

storeContract('PostgreSQL', postgresHarness);
