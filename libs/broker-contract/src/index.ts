export { defineBrokerContractTests, type BrokerContractHarness } from './broker.contract.js';
