import { defineCorpusSuite } from '../../support/corpus.suite.js';

defineCorpusSuite('application/json');
