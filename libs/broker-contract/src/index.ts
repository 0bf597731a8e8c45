export { defineBrokerContractTests, type BrokerContractHarness } from './broker.contract.js';
export {
  contractView,
  orders,
  pause,
  recordOf,
  serverSide,
  tornDownAfterEach,
  until,
  type RecordEntry,
  type ServerSide,
  type ServerSideOptions,
} from './server-side.js';
