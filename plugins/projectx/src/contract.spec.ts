import { contractView, defineBrokerContractTests } from '@tradeloop/broker-contract';
import { harness } from './testing/harness.js';

defineBrokerContractTests('projectx', async () => contractView(await harness()));
