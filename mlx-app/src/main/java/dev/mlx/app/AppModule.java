package dev.mlx.app;

import com.google.inject.AbstractModule;
import dev.mlx.app.command.AppSettings;
import dev.mlx.app.command.EngineHolder;

/** Binds the process-wide objects the commands share. */
final class AppModule extends AbstractModule {
    private final AppSettings settings;
    private final EngineHolder engine;

    AppModule(AppSettings settings, EngineHolder engine) {
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    protected void configure() {
        bind(AppSettings.class).toInstance(settings);
        bind(EngineHolder.class).toInstance(engine);
    }
}
