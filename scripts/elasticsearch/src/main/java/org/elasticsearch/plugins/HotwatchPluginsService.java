package org.elasticsearch.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

/** Loads the given plugin classes from the classpath, as the distribution's modules would be. */
public class HotwatchPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;
    private final PluginsAndModules info;

    public HotwatchPluginsService(Settings settings, Environment environment, Collection<Class<? extends Plugin>> classes) {
        super(settings, environment.configFile(), environment.modulesFile(), environment.pluginsFile());
        List<LoadedPlugin> plugins = new ArrayList<>();
        List<PluginRuntimeInfo> infos = new ArrayList<>(super.info().getPluginInfos());
        for (Class<? extends Plugin> type : classes) {
            Plugin plugin = loadPlugin(type, settings, environment.configFile());
            PluginDescriptor descriptor = new PluginDescriptor(type.getName(), "classpath module", "NA",
                Build.current().version(), Integer.toString(Runtime.version().feature()), type.getName(), null,
                List.of(), false, false, false, false);
            plugins.add(new LoadedPlugin(descriptor, plugin));
            infos.add(new PluginRuntimeInfo(descriptor));
        }
        loadExtensions(plugins);
        plugins.addAll(super.plugins());
        this.loaded = List.copyOf(plugins);
        this.info = new PluginsAndModules(infos, super.info().getModuleInfos());
    }

    @Override
    protected final List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        return info;
    }

    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {
        // no module layers on a plain classpath
    }
}
