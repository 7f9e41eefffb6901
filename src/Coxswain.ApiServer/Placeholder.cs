namespace Coxswain.ApiServer; internal static class Placeholder {}
