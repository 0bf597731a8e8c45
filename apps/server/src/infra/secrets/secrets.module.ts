import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { loadConfiguredKey, SecretBox } from './secret-box.js';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const { key, created, warning } = loadConfiguredKey(config);
        const console = new Logger('Secrets');
        if (created) console.log('created a secret key for broker credentials under the data folder (back it up with the database)');
        if (warning) console.warn(warning);
        return new SecretBox(key);
      },
    },
  ],
  exports: [SecretBox],
})
export class SecretsModule {}
