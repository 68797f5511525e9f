namespace DataFlow.Engine.Config;

/// <summary>A configuration error; the message names the file, line and key.</summary>
public sealed class ConfigException(string message) : Exception(message);
