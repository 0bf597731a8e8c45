import { defineCorpusSuite } from '../../support/corpus.suite.js';

defineCorpusSuite('text/plain');
